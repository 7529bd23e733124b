import CNN
import Foundation

/// A small site in a temporary folder: the real theme, a tiny model, and a few hundred
/// MNIST digits, so end-to-end builds (training included) take well under a second.
public final class FixtureSite {
    public let directory: TemporaryDirectory
    public var root: String { directory.path }
    public var content: String { directory.file("Content") }
    public var output: String { directory.file("Output") }
    public var theme: String { directory.file("Theme") }
    public var cache: String { directory.file(".vizsite") }

    public static let tinySpec = """
        name: tiny-cnn
        input: [28, 28, 1]
        dataset: mnist
        layers:
          - {type: Conv2D, filters: 4, kernel_size: 3, activation: relu}
          - {type: Conv2D, filters: 6, kernel_size: 3, activation: relu}
          - {type: MaxPooling2D, pool_size: 2}
          - {type: Dropout, rate: 0.25}
          - {type: Flatten}
          - {type: Dense, units: 16, activation: relu}
          - {type: Dropout, rate: 0.5}
          - {type: Dense, name: preds, units: 10, activation: softmax}
        training: {optimizer: adam, learning_rate: 0.003, batch_size: 32, epochs: 1, seed: 1}

        """

    public static let siteYAML = """
        title: Fixture site
        description: A test site.
        author: Tests
        model: models/tiny.yml

        """

    /// `lessons`: file name → text.
    public init(
        lessons: [String: String], siteYAML: String = FixtureSite.siteYAML, trainCount: Int = 512, testCount: Int = 128
    ) {
        directory = TemporaryDirectory("vizsite-site")
        directory.write("Content/site.yml", siteYAML)
        directory.write("Content/models/tiny.yml", Self.tinySpec)
        for (name, text) in lessons { directory.write("Content/lessons/\(name)", text) }
        Self.writeMNIST(to: directory.file("Content/data/mnist"), train: trainCount, test: testCount)
        try! FileManager.default.copyItem(atPath: PackagePaths.path("Theme"), toPath: directory.file("Theme"))
    }

    /// Writes the first images of real MNIST as (uncompressed) IDX files under the usual names.
    static func writeMNIST(to folder: String, train: Int, test: Int) {
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let f = MNIST.fileNames
        for (set, count, images, labels) in [
            (sharedMNIST.train, train, f.trainImages, f.trainLabels),
            (sharedMNIST.test, test, f.testImages, f.testLabels),
        ] {
            var imageBytes: [UInt8] = [0, 0, 8, 3] + bigEndian(count) + bigEndian(28) + bigEndian(28)
            imageBytes += set.images.scalars[0..<(count * 784)].map { UInt8(($0 * 255).rounded()) }
            var labelBytes: [UInt8] = [0, 0, 8, 1] + bigEndian(count)
            labelBytes += set.labels[0..<count].map(UInt8.init)
            try! Data(imageBytes).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(images)))
            try! Data(labelBytes).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(labels)))
        }
    }

    private static func bigEndian(_ n: Int) -> [UInt8] {
        [UInt8(n >> 24 & 255), UInt8(n >> 16 & 255), UInt8(n >> 8 & 255), UInt8(n & 255)]
    }

    /// Every file under `folder`, by relative path.
    public static func tree(_ folder: String) -> [String: Data] {
        var result: [String: Data] = [:]
        guard let names = FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] else { return [:] }
        for name in names {
            var isDirectory: ObjCBool = false
            let path = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[name] = FileManager.default.contents(atPath: path)
            }
        }
        return result
    }
}

/// Checks that an HTML document is well nested: every non-void element closed in order,
/// attributes quoted, no stray `<`. Script, style and comments are skipped; inline SVG
/// is checked the same way (self-closing tags allowed). Returns the problems found.
public func htmlProblems(_ html: String) -> [String] {
    let void: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    ]
    var problems: [String] = []
    var stack: [String] = []
    var i = html.startIndex
    func line(_ at: String.Index) -> Int { html[..<at].filter { $0 == "\n" }.count + 1 }
    while let open = html[i...].firstIndex(of: "<") {
        let rest = html[open...]
        if rest.hasPrefix("<!--") {
            guard let end = rest.range(of: "-->") else {
                problems.append("unclosed comment at line \(line(open))"); break
            }
            i = end.upperBound; continue
        }
        if rest.hasPrefix("<!") || rest.hasPrefix("<?") {
            guard let end = rest.firstIndex(of: ">") else { break }
            i = html.index(after: end); continue
        }
        guard let close = rest.firstIndex(of: ">") else { problems.append("unclosed tag at line \(line(open))"); break }
        let tag = html[html.index(after: open)..<close]
        i = html.index(after: close)
        if tag.hasPrefix("/") {
            let name = tag.dropFirst().trimmingCharacters(in: .whitespaces).lowercased()
            if stack.last == name {
                stack.removeLast()
            } else {
                problems.append("line \(line(open)): </\(name)> closes <\(stack.last ?? "nothing")>");
                if let k = stack.lastIndex(of: name) { stack.removeSubrange(k...) }
            }
            continue
        }
        let name = String(tag.prefix { !$0.isWhitespace && $0 != "/" }).lowercased()
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            problems.append("line \(line(open)): '<' that starts no tag"); continue
        }
        if tag.filter({ $0 == "\"" }).count % 2 != 0 {
            problems.append("line \(line(open)): unbalanced quotes in <\(name)>")
        }
        if tag.hasSuffix("/") || void.contains(name) { continue }
        if name == "script" || name == "style" {
            guard let end = html[i...].range(of: "</\(name)>") else { problems.append("unclosed <\(name)>"); break }
            i = end.upperBound; continue
        }
        stack.append(name)
    }
    if !stack.isEmpty { problems.append("unclosed elements at the end: \(stack)") }
    return problems
}

/// The `href` and `src` values of an HTML document.
public func linkTargets(_ html: String) -> [String] {
    var result: [String] = []
    for attribute in ["href=\"", "src=\""] {
        var search = html.startIndex
        while let r = html.range(of: attribute, range: search..<html.endIndex) {
            guard let end = html[r.upperBound...].firstIndex(of: "\"") else { break }
            result.append(String(html[r.upperBound..<end]))
            search = end
        }
    }
    return result
}
