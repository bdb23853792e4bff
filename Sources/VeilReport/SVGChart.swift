import Foundation

/// A chart over time as inline SVG: axes with round ticks, then lines, points, stacked bars and
/// marks. Plain SVG attributes only, so the page needs no script and no style sheet to draw it.
public struct SVGChart {
    static let width = 860.0
    static let height = 240.0
    private static let left = 64.0, right = 16.0, top = 14.0, bottom = 40.0

    let title: String
    let timeRange: ClosedRange<Double>
    let valueRange: ClosedRange<Double>
    let valueLabel: String
    private var layers: [String] = []

    public init(title: String, timeRange: ClosedRange<Double>, valueRange: ClosedRange<Double>, valueLabel: String) {
        self.title = title
        // An empty range (one frame) would divide by zero: give it a second.
        self.timeRange = timeRange.lowerBound < timeRange.upperBound ? timeRange : timeRange.lowerBound...(timeRange.lowerBound + 1)
        self.valueRange = valueRange.lowerBound < valueRange.upperBound ? valueRange : valueRange.lowerBound...(valueRange.lowerBound + 1)
        self.valueLabel = valueLabel
    }

    func x(_ time: Double) -> Double {
        Self.left + (time - timeRange.lowerBound) / (timeRange.upperBound - timeRange.lowerBound) * (Self.width - Self.left - Self.right)
    }

    func y(_ value: Double) -> Double {
        let clamped = min(max(value, valueRange.lowerBound), valueRange.upperBound)
        let plotHeight = Self.height - Self.top - Self.bottom
        return Self.top + plotHeight - (clamped - valueRange.lowerBound) / (valueRange.upperBound - valueRange.lowerBound) * plotHeight
    }

    /// One polyline per run of points; a gap (frames without this figure) starts a new one rather
    /// than drawing a line across time that was not measured.
    public mutating func line(_ segments: [[(time: Double, value: Double)]], series: String, color: String) {
        for segment in segments where !segment.isEmpty {
            let points = segment.map { "\(Self.number(x($0.time))),\(Self.number(y($0.value)))" }.joined(separator: " ")
            layers.append("<polyline class=\"\(series)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points)\"/>")
        }
    }

    mutating func point(time: Double, value: Double, color: String, note: String) {
        layers.append("<circle cx=\"\(Self.number(x(time)))\" cy=\"\(Self.number(y(value)))\" r=\"3.5\" fill=\"\(color)\">"
            + "<title>\(HTML.escape(note))</title></circle>")
    }

    /// A level the figure should stay on one side of: a goal or a margin.
    public mutating func level(_ value: Double, label: String, color: String) {
        let yValue = Self.number(y(value))
        layers.append("<line x1=\"\(Self.number(Self.left))\" x2=\"\(Self.number(Self.width - Self.right))\" y1=\"\(yValue)\" y2=\"\(yValue)\" "
            + "stroke=\"\(color)\" stroke-dasharray=\"6 4\"/>")
        layers.append("<text x=\"\(Self.number(Self.width - Self.right - 4))\" y=\"\(Self.number(y(value) - 4))\" text-anchor=\"end\" "
            + "font-size=\"11\" fill=\"\(color)\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">\(HTML.escape(label))</text>")
    }

    /// A bar from `start` to `end` in time, stacked from the bottom: one (height, colour, note) per part.
    mutating func stackedBar(start: Double, end: Double, parts: [(value: Double, color: String, note: String)]) {
        var base = valueRange.lowerBound
        let left = x(start), barWidth = max(1, x(end) - x(start) - 1)
        for part in parts where part.value > 0 {
            let topY = y(base + part.value), bottomY = y(base)
            layers.append("<rect x=\"\(Self.number(left))\" y=\"\(Self.number(topY))\" width=\"\(Self.number(barWidth))\" "
                + "height=\"\(Self.number(bottomY - topY))\" fill=\"\(part.color)\"><title>\(HTML.escape(part.note))</title></rect>")
            base += part.value
        }
    }

    /// A vertical mark at a moment: where an incident happened.
    mutating func mark(time: Double, note: String) {
        let xValue = Self.number(x(time))
        layers.append("<line class=\"incident\" x1=\"\(xValue)\" x2=\"\(xValue)\" y1=\"\(Self.number(Self.top))\" "
            + "y2=\"\(Self.number(Self.height - Self.bottom))\" stroke=\"#c0392b\" stroke-width=\"1.5\" stroke-opacity=\"0.6\">"
            + "<title>\(HTML.escape(note))</title></line>")
    }

    public func render() -> String {
        let plotBottom = Self.height - Self.bottom
        var parts = ["<svg viewBox=\"0 0 \(Self.number(Self.width)) \(Self.number(Self.height))\" "
            + "role=\"img\" aria-label=\"\(HTML.escape(title))\" font-family=\"sans-serif\">"]
        parts.append("<rect x=\"\(Self.number(Self.left))\" y=\"\(Self.number(Self.top))\" width=\"\(Self.number(Self.width - Self.left - Self.right))\" "
            + "height=\"\(Self.number(plotBottom - Self.top))\" fill=\"#fafafa\" stroke=\"#999\"/>")
        for tick in Self.ticks(valueRange) {
            let yValue = Self.number(y(tick))
            parts.append("<line x1=\"\(Self.number(Self.left - 4))\" x2=\"\(Self.number(Self.width - Self.right))\" y1=\"\(yValue)\" y2=\"\(yValue)\" stroke=\"#e2e2e2\"/>")
            parts.append("<text x=\"\(Self.number(Self.left - 6))\" y=\"\(yValue)\" dy=\"4\" text-anchor=\"end\" font-size=\"11\">\(Self.label(tick))</text>")
        }
        // Ten minutes and more read better in minutes than as four-digit seconds.
        let (unit, unitName) = timeRange.upperBound - timeRange.lowerBound >= 600 ? (60.0, "minutes") : (1.0, "seconds")
        for tick in Self.ticks((timeRange.lowerBound / unit)...(timeRange.upperBound / unit)) {
            let xValue = Self.number(x(tick * unit))
            parts.append("<line x1=\"\(xValue)\" x2=\"\(xValue)\" y1=\"\(Self.number(plotBottom))\" y2=\"\(Self.number(plotBottom + 4))\" stroke=\"#999\"/>")
            parts.append("<text x=\"\(xValue)\" y=\"\(Self.number(plotBottom + 16))\" text-anchor=\"middle\" font-size=\"11\">\(Self.label(tick))</text>")
        }
        parts.append("<text x=\"\(Self.number((Self.left + Self.width - Self.right) / 2))\" y=\"\(Self.number(Self.height - 6))\" "
            + "text-anchor=\"middle\" font-size=\"12\">time (\(unitName))</text>")
        parts.append("<text transform=\"translate(14 \(Self.number((Self.top + plotBottom) / 2))) rotate(-90)\" text-anchor=\"middle\" "
            + "font-size=\"12\">\(HTML.escape(valueLabel))</text>")
        parts += layers
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    /// About five round steps (1, 2 or 5 times a power of ten) across the range.
    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let rough = span / 5
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? rough
        let first = ceil(range.lowerBound / step) * step
        return stride(from: first, through: range.upperBound + step * 1e-9, by: step).map { $0 }
    }

    private static func label(_ value: Double) -> String {
        var text = String(format: "%.4f", value)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// Coordinates to a tenth of a unit: finer is invisible and only makes the page bigger.
    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}
