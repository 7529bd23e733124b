extension String {
    /// The extension of the last path component — what follows its last dot, "" when there
    /// is none or the name starts with its only dot (`.hidden`) — computed without
    /// Foundation's `NSString.pathExtension`, which traps on some inputs (a NUL byte among
    /// slashes, found by fuzzing selectors).
    public var fileExtension: String {
        let name = split(separator: "/").last ?? Substring(self)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }
}
