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
    /// A warning: the input is valid, but what it asks for is probably not what its author
    /// means (a figure that would publish something false). Printed `warning:`; a build with
    /// `--strict` reports it as an error.
    public var isWarning = false

    public init(_ message: String, at location: SourceLocation, suggestion: String? = nil) {
        self.location = location
        self.message = Self.elided(message)
        self.suggestion = suggestion.map { Self.elided($0, longest: 80) }
    }

    /// `message` with each quoted value longer than `longest` characters cut in the middle:
    /// an option of 10 MB is echoed as its start, its length and its end, not in full.
    static func elided(_ message: String, longest: Int = 160) -> String {
        guard message.utf8.count > longest else { return message }
        let scalars = Array(message.unicodeScalars)
        func text(_ range: Range<Int>) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            return String(view)
        }
        func cut(_ range: Range<Int>) -> String {
            guard range.count > longest else { return text(range) }
            let keep = longest / 2
            return text(range.lowerBound..<(range.lowerBound + keep)) + "…(\(range.count) characters)…"
                + text((range.upperBound - keep / 4)..<range.upperBound)
        }
        func isWordy(_ i: Int) -> Bool {
            scalars[i].properties.isAlphabetic || scalars[i].properties.numericType != nil
        }
        // Quoted values: 'value', the opening quote after no letter (not "the model's").
        var out = "", i = 0, plain = 0
        while i < scalars.count {
            let isOpening = scalars[i] == "'" && (i == 0 || !isWordy(i - 1))
            i += 1
            guard isOpening else { continue }
            var close = i
            while close < scalars.count, !(scalars[close] == "'" && (close + 1 == scalars.count || !isWordy(close + 1)))
            {
                close += 1
            }
            guard close < scalars.count else { continue }
            out += text(plain..<i) + cut(i..<close)
            plain = close
            i = close + 1
        }
        out += text(plain..<scalars.count)
        // Whatever is still very long (an unquoted value) is cut as a whole; lists of valid
        // names (the 231 interface strings) stay whole.
        let count = out.unicodeScalars.count, most = 64 * 1024
        guard count > most else { return out }
        return String(String.UnicodeScalarView(out.unicodeScalars.prefix(most))) + "…(\(count) characters)"
    }

    /// An error with nothing to point at.
    public init(_ message: String, suggestion: String? = nil) {
        self.init(message, at: SourceLocation(file: "", line: 0, column: 0), suggestion: suggestion)
    }

    public var sourceError: SourceError { self }

    /// A warning at `location` (see `isWarning`).
    public static func warning(
        _ message: String, at location: SourceLocation, suggestion: String? = nil
    )
        -> SourceError
    {
        var warning = SourceError(message, at: location, suggestion: suggestion)
        warning.isWarning = true
        return warning
    }

    /// This warning reported as an error, as `--strict` does.
    public var strict: SourceError {
        guard isWarning else { return self }
        var error = SourceError(
            message + " (a warning; --strict makes it an error)", at: location, suggestion: suggestion)
        error.isWarning = false
        return error
    }

    /// The error moved to `location`, the file it named (if any) leading its message:
    /// `images/x.png: not a readable PNG image` at the directive that read the file.
    public func placed(at location: SourceLocation) -> SourceError {
        var placed = SourceError(
            location.file == self.location.file || self.location.file.isEmpty
                ? message : "\(self.location.file): \(message)",
            at: location, suggestion: suggestion)
        placed.isWarning = isWarning
        return placed
    }

    public var description: String {
        let place = location.line > 0 ? location.description : location.file
        var text = (place.isEmpty ? "" : "\(place): ") + (isWarning ? "warning: " : "error: ") + message
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
