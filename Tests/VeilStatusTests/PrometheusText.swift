import XCTest

/// A strict reader of the Prometheus text exposition format (version 0.0.4), enough to hold
/// `/metrics` to it: every line is a comment or `name{labels} value`, every family has HELP and TYPE
/// lines before its samples, label values are quoted with the format's escapes.
struct PrometheusText {
    struct Sample {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    struct FormatError: Error, CustomStringConvertible {
        let line: String
        let problem: String
        var description: String { "\(problem): \(line)" }
    }

    private(set) var samples: [Sample] = []
    private(set) var types: [String: String] = [:]
    private(set) var help: [String: String] = [:]

    init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                try comment(line)
            } else {
                let sample = try PrometheusText.sample(line)
                guard let family = family(of: sample.name), let type = types[family] else {
                    throw FormatError(line: line, problem: "sample before its TYPE line")
                }
                guard help[family] != nil else { throw FormatError(line: line, problem: "family without HELP") }
                if type == "counter", !sample.name.hasSuffix("_total") {
                    throw FormatError(line: line, problem: "counter not named *_total")
                }
                samples.append(sample)
            }
        }
    }

    /// The value of the one sample with this name and exactly these labels.
    func value(_ name: String, _ labels: [String: String]) -> Double? {
        let matches = samples.filter { $0.name == name && $0.labels == labels }
        return matches.count == 1 ? matches[0].value : nil
    }

    private mutating func comment(_ line: String) throws {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "#" else { return }
        switch parts[1] {
        case "HELP":
            help[parts[2]] = parts.count > 3 ? parts[3] : ""
        case "TYPE":
            guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                throw FormatError(line: line, problem: "bad TYPE line")
            }
            guard types[parts[2]] == nil else { throw FormatError(line: line, problem: "second TYPE line") }
            types[parts[2]] = parts[3]
        default:
            return
        }
    }

    /// The family a sample belongs to: itself, or a histogram's for its `_bucket`, `_sum`, `_count`.
    private func family(of name: String) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return nil
    }

    private static func sample(_ line: String) throws -> Sample {
        var rest = Substring(line)
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        guard let first = name.first, !first.isNumber else { throw FormatError(line: line, problem: "bad metric name") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                guard !label.isEmpty, rest.dropFirst(label.count).hasPrefix("=\"") else {
                    throw FormatError(line: line, problem: "bad label")
                }
                rest = rest.dropFirst(label.count + 2)
                var value = ""
                while true {
                    guard let character = rest.popFirst() else { throw FormatError(line: line, problem: "unterminated label value") }
                    if character == "\"" { break }
                    if character == "\\" {
                        switch rest.popFirst() {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw FormatError(line: line, problem: "bad escape in label value")
                        }
                    } else {
                        value.append(character)
                    }
                }
                guard labels.updateValue(value, forKey: String(label)) == nil else {
                    throw FormatError(line: line, problem: "repeated label")
                }
                if rest.first == "," { rest = rest.dropFirst() }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw FormatError(line: line, problem: "no space before the value") }
        let text = rest.dropFirst()
        let value: Double?
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default: value = text.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) ? nil : Double(text)
        }
        guard let value else { throw FormatError(line: line, problem: "bad value") }
        return Sample(name: String(name), labels: labels, value: value)
    }
}
