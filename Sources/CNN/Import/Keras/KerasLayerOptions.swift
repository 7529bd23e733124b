import Common

/// A Keras layer's config, read for `KerasVocabulary`: an error names the layer, its class
/// and the file.
struct KerasLayerOptions: LayerOptions {
    let config: KerasImporter.LayerConfig
    let importer: KerasImporter

    private func value(_ key: String) -> JSONValue? {
        guard let v = config.config[key], !v.isNull else { return nil }
        return v
    }

    /// The option read by `read`; an error saying what was `expected` when it is something else.
    private func typed<T>(_ key: String, _ expected: String, _ read: (JSONValue) -> T?) throws(ImportError) -> T? {
        guard let v = value(key) else { return nil }
        guard let typed = read(v) else { throw mistyped(key, expected) }
        return typed
    }

    private func mistyped(_ key: String, _ expected: String) -> ImportError {
        error("\(key) must be \(expected)", at: key, suggestion: nil)
    }

    func has(_ key: String) -> Bool { value(key) != nil }
    func isText(_ key: String) -> Bool { value(key)?.string != nil }
    func int(_ key: String) throws(ImportError) -> Int? { try typed(key, "an integer", \.int) }
    func bool(_ key: String) throws(ImportError) -> Bool? { try typed(key, "true or false", \.bool) }
    func string(_ key: String) throws(ImportError) -> String? { try typed(key, "text", \.string) }
    func double(_ key: String) throws(ImportError) -> Double? {
        try typed(key, "a number") { $0.double.flatMap { $0.isFinite ? $0 : nil } }
    }

    func numbers(_ key: String) throws(ImportError) -> [Double]? {
        guard let v = value(key) else { return nil }
        if let n = v.double { return [n] }
        guard let items = v.array, case let numbers = items.compactMap(\.double), numbers.count == items.count else {
            throw mistyped(key, "a number or a list of numbers")
        }
        return numbers
    }

    func intRows(_ key: String) throws(ImportError) -> [[Int]]? {
        guard let v = value(key) else { return nil }
        if let n = v.int { return [[n]] }
        guard let items = v.array else { throw mistyped(key, "an integer or a list") }
        var rows: [[Int]] = []
        for item in items {
            if let n = item.int {
                rows.append([n])
            } else if let row = item.array, case let numbers = row.compactMap(\.int), numbers.count == row.count {
                rows.append(numbers)
            } else {
                throw mistyped(key, "integers, or lists of integers")
            }
        }
        return rows
    }

    func error(_ message: String, at key: String?, suggestion: String?) -> ImportError {
        importer.error(config, message + (suggestion.map { "; did you mean '\($0)'?" } ?? ""))
    }
}
