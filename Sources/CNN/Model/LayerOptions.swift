/// The options of one layer written in Keras's vocabulary (`filters`, `kernel_size`,
/// `padding`, …): an entry of a model spec (YAML) or a layer of a Keras config (JSON).
/// `KerasVocabulary` reads both through this, so the two readers build the same layers from
/// the same words; each reports an error its own way (a spec at the option's line and
/// column, an import by the layer's name and class).
protocol LayerOptions {
    associatedtype Failure: Error

    /// Whether `key` is given (and not null).
    func has(_ key: String) -> Bool
    /// Whether `key` is given as text (`padding: same`, not a list).
    func isText(_ key: String) -> Bool
    func int(_ key: String) throws(Failure) -> Int?
    func double(_ key: String) throws(Failure) -> Double?
    func bool(_ key: String) throws(Failure) -> Bool?
    func string(_ key: String) throws(Failure) -> String?
    /// A number, or a list of numbers.
    func numbers(_ key: String) throws(Failure) -> [Double]?
    /// An integer, or a list whose entries are integers or lists of integers, each entry as
    /// a list: `3` is `[[3]]`, `[3, 2]` is `[[3], [2]]`, `[[1, 1], [2, 2]]` stays as written.
    func intRows(_ key: String) throws(Failure) -> [[Int]]?
    /// An error about option `key`; nil means the layer as a whole, `"type"` its type.
    func error(_ message: String, at key: String?, suggestion: String?) -> Failure
}

extension LayerOptions {
    func error(_ message: String, at key: String?) -> Failure { error(message, at: key, suggestion: nil) }
}
