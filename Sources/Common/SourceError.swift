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

/// vizsite's one error model: where to fix it, what was wrong, and the nearest valid
/// name, printed compiler-style by `description`, the one printer:
/// `Content/models/x.yml:12:5: error: unknown layer type 'Conv3D'; did you mean 'Conv2D'?`
/// Every module's own error type converts to it (`SourceErrorConvertible`).
public struct SourceError: Error, Sendable, Equatable, CustomStringConvertible, SourceErrorConvertible {
    /// Where to fix it; the file alone when no position applies (line and column 0), and
    /// nothing when no file does (an empty file name).
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

    /// An error with nothing to point at.
    public init(_ message: String, suggestion: String? = nil) {
        self.init(message, at: SourceLocation(file: "", line: 0, column: 0), suggestion: suggestion)
    }

    public var sourceError: SourceError { self }

    /// The error moved to `location`, the file it named (if any) leading its message:
    /// `images/x.png: not a readable PNG image` at the directive that read the file.
    public func placed(at location: SourceLocation) -> SourceError {
        SourceError(
            location.file == self.location.file || self.location.file.isEmpty
                ? message : "\(self.location.file): \(message)",
            at: location, suggestion: suggestion)
    }

    public var description: String {
        let place = location.line > 0 ? location.description : location.file
        var text = (place.isEmpty ? "" : "\(place): ") + "error: \(message)"
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text
    }
}

/// An error of a module that speaks of files and values rather than positions (weights,
/// data, PNG, explanations): it says itself as a `SourceError`, which prints it.
public protocol SourceErrorConvertible: Error, CustomStringConvertible {
    var sourceError: SourceError { get }
}

extension SourceErrorConvertible {
    public var description: String { sourceError.description }
}
