/// A position in a file a user can edit, 1-based, printed `file:line:column`.
public struct SourceLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// An error in something a user wrote, printed compiler-style:
/// `Content/models/x.yml:12:5: error: unknown layer type 'Conv3D'; did you mean 'Conv2D'?`
public struct SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where to fix it; the file alone when no position applies (line and column 0).
    public var location: SourceLocation
    /// What was wrong and what was expected.
    public var message: String
    /// The nearest valid name, when there is one.
    public var suggestion: String?

    public init(_ message: String, at location: SourceLocation, suggestion: String? = nil) {
        self.location = location
        self.message = message
        self.suggestion = suggestion
    }

    public var description: String {
        let place = location.line > 0 ? location.description : location.file
        var text = "\(place): error: \(message)"
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text
    }
}
