import Common

/// A spec entry's options, read for `KerasVocabulary`: each error points at the option's
/// value (or, for the layer as a whole, at the entry; for its type, at `type`).
struct SpecLayerOptions: LayerOptions {
    let item: YAMLValue
    let fields: YAMLMapping
    let typeValue: YAMLValue

    func has(_ key: String) -> Bool { fields[key] != nil }

    func isText(_ key: String) -> Bool {
        guard let v = fields[key], case .scalar = v.node else { return false }
        return (try? v.double()) == nil
    }

    func int(_ key: String) throws(SourceError) -> Int? { try fields[key]?.int() }
    func double(_ key: String) throws(SourceError) -> Double? { try fields[key]?.double() }
    func bool(_ key: String) throws(SourceError) -> Bool? { try fields[key]?.bool() }
    func string(_ key: String) throws(SourceError) -> String? { try fields[key]?.string() }

    func numbers(_ key: String) throws(SourceError) -> [Double]? {
        guard let v = fields[key] else { return nil }
        guard case .sequence = v.node else { return [try v.double()] }
        return try v.list().map { (item) throws(SourceError) -> Double in try item.double() }
    }

    func intRows(_ key: String) throws(SourceError) -> [[Int]]? {
        guard let v = fields[key] else { return nil }
        guard case .sequence = v.node else { return [[try v.int()]] }
        return try v.list().map { (entry) throws(SourceError) -> [Int] in
            guard case .sequence = entry.node else { return [try entry.int()] }
            return try entry.list().map { (n) throws(SourceError) -> Int in try n.int() }
        }
    }

    func error(_ message: String, at key: String?, suggestion: String?) -> SourceError {
        let value = key == "type" ? typeValue : key.flatMap { fields[$0] } ?? item
        return value.error(message, suggestion: suggestion)
    }
}
