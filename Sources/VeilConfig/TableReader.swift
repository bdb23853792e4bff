import Foundation
import TOMLKit

/// Reads one TOML table strictly: only the keys the caller names, each of the type and in the range
/// it asks for. Every problem becomes a ConfigError naming the key's full path.
struct TableReader {
    let table: TOMLTable
    /// This table's own path: "" for the document, "camera[1]", "camera[1].output[0]".
    let path: String
    let file: String

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ problem: String) -> ConfigError {
        ConfigError(file: file, location: keyPath(key), problem: problem)
    }

    /// Rejects the first key (alphabetically) that is not in `allowed`. Runs before any value is
    /// read, so a misspelt key is reported as such rather than as the real key being missing.
    func allowOnly(_ allowed: [String], in what: String) throws {
        if let unknown = table.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw error(unknown, "unknown key (\(what) takes \(allowed.joined(separator: ", ")))")
        }
    }

    /// The key as a TOML table header names it: `camera.output`, not `camera[0].output`.
    func headerName(_ key: String) -> String {
        keyPath(key).replacingOccurrences(of: #"\[[0-9]+\]"#, with: "", options: .regularExpression)
    }

    /// 0.6 as "0.6", 2.0 as "2": numbers as a user writes them.
    static func text(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }

    func string(_ key: String) throws -> String? {
        guard let value = table[key]?.tomlValue else { return nil }
        guard let string = value.string else { throw typeError(key, expected: "a string", found: value) }
        return string
    }

    func nonEmptyString(_ key: String) throws -> String? {
        guard let string = try string(key) else { return nil }
        guard !string.isEmpty else { throw error(key, "must not be empty") }
        return string
    }

    /// A file or directory path. The daemon runs in / under systemd, so a relative path would mean
    /// something else there than where `veil check-config` ran.
    func absolutePath(_ key: String) throws -> String? {
        guard let path = try nonEmptyString(key) else { return nil }
        guard path.hasPrefix("/") else { throw error(key, "\"\(path)\" is not an absolute path") }
        return path
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = table[key]?.tomlValue else { return nil }
        guard let bool = value.bool else { throw typeError(key, expected: "a boolean (true or false)", found: value) }
        return bool
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = table[key]?.tomlValue else { return nil }
        guard let int = value.int else { throw typeError(key, expected: "an integer", found: value) }
        guard range.contains(int) else { throw error(key, "\(int) is out of range (\(range.lowerBound) to \(range.upperBound))") }
        return int
    }

    func int(_ key: String, atLeast minimum: Int) throws -> Int? {
        guard let value = table[key]?.tomlValue else { return nil }
        guard let int = value.int else { throw typeError(key, expected: "an integer", found: value) }
        guard int >= minimum else { throw error(key, "\(int) is too small (at least \(minimum))") }
        return int
    }

    /// A number where fractions make sense; an integer is taken too (`margin = 1`).
    func number(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let number = try number(key) else { return nil }
        guard range.contains(number) else {
            throw error(key, "\(Self.text(number)) is out of range (\(Self.text(range.lowerBound)) to \(Self.text(range.upperBound)))")
        }
        return number
    }

    func number(_ key: String, above minimum: Double) throws -> Double? {
        guard let number = try number(key) else { return nil }
        guard number > minimum else { throw error(key, "\(Self.text(number)) is too small (must be greater than \(Self.text(minimum)))") }
        return number
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, as _: Choice.Type = Choice.self) throws -> Choice?
        where Choice.RawValue == String {
        guard let string = try string(key) else { return nil }
        guard let choice = Choice(rawValue: string) else {
            let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(key, "\"\(string)\" is not one of \(names)")
        }
        return choice
    }

    func table(_ key: String) throws -> TableReader? {
        guard let value = table[key]?.tomlValue else { return nil }
        guard let table = value.table else { throw typeError(key, expected: "a table ([\(headerName(key))])", found: value) }
        return TableReader(table: table, path: keyPath(key), file: file)
    }

    /// An array of tables (`[[camera]]`), each element read with its index in the path.
    func tables(_ key: String) throws -> [TableReader]? {
        guard let value = table[key]?.tomlValue else { return nil }
        let expected = "an array of tables ([[\(headerName(key))]])"
        guard let array = value.array else { throw typeError(key, expected: expected, found: value) }
        return try array.enumerated().map { index, element in
            guard let table = element.table else { throw typeError(key, expected: expected, found: element.tomlValue) }
            return TableReader(table: table, path: "\(keyPath(key))[\(index)]", file: file)
        }
    }

    func require<Value>(_ key: String, _ value: Value?) throws -> Value {
        guard let value else { throw error(key, "required key is missing") }
        return value
    }

    private func number(_ key: String) throws -> Double? {
        guard let value = table[key]?.tomlValue else { return nil }
        if let double = value.double { return double }
        if let int = value.int { return Double(int) }
        throw typeError(key, expected: "a number", found: value)
    }

    private func typeError(_ key: String, expected: String, found value: TOMLValue) -> ConfigError {
        let found: String
        switch value.type {
        case .string: found = "a string"
        case .int: found = "an integer"
        case .double: found = "a float"
        case .bool: found = "a boolean"
        case .table: found = "a table"
        case .array: found = "an array"
        case .date, .time, .dateTime: found = "a date or time"
        }
        return error(key, "expected \(expected), found \(found)")
    }
}
