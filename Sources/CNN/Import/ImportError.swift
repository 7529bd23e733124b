import Common

/// Why a model file could not be imported: the file, the node or layer at fault (its
/// name and op or class), and what vizsite supports instead.
public struct ImportError: SourceErrorConvertible, Equatable {
    public let file: String
    public let message: String

    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    public var sourceError: SourceError {
        SourceError(message, at: SourceLocation(file: file, line: 0, column: 0))
    }
}
