import Common
import Foundation
import Render

/// The held-out images a playground lets readers browse: one PNG sprite holding them in a
/// grid of `columns`, with their labels and the model's predictions (for the "misclassified
/// only" filter), in a script that registers them under `window.vizsiteSprites` and that
/// the page loads only when a reader opens the browser. The PNG travels as a `data:` URL so
/// that the page can read its pixels even from `file://`, where a separate image file
/// would taint the canvas.
struct PlaygroundSprite {
    /// Images per sprite row: 10,000 MNIST digits make a 2,800×2,800 picture.
    static let columns = 100

    /// The split's name (`test`), as image names say it (`test[12]`).
    let split: String
    /// The images as pictures in [0, 1], `[count, height, width, channels]` row-major.
    let pictures: [Float]
    let labels: [Int]
    let predicted: [Int]
    let height, width, channels: Int

    var count: Int { labels.count }

    /// The sprite: 8-bit gray or RGB, the images in reading order, unused cells black.
    func png() -> Data {
        let columns = min(Self.columns, max(count, 1)), rows = (count + columns - 1) / columns
        let (spriteWidth, spriteHeight) = (columns * width, rows * height)
        var samples = [UInt8](repeating: 0, count: spriteWidth * spriteHeight * channels)
        let imageSize = height * width * channels, rowSize = width * channels
        for i in 0..<count {
            let (top, left) = ((i / columns) * height, (i % columns) * width)
            for y in 0..<height {
                let from = i * imageSize + y * rowSize, to = ((top + y) * spriteWidth + left) * channels
                for k in 0..<rowSize {
                    samples[to + k] = UInt8((min(max(pictures[from + k], 0), 1) * 255).rounded())
                }
            }
        }
        return PNG.encode(samples: samples, width: spriteWidth, height: spriteHeight, channels: channels)
    }

    /// The script registering the sprite under `key` (the model's name: the predictions
    /// are its own).
    func script(key: String) -> String {
        let fields = [
            "\"split\":\(PlaygroundJSON.string(split))", "\"count\":\(count)", "\"height\":\(height)",
            "\"width\":\(width)", "\"channels\":\(channels)", "\"columns\":\(min(Self.columns, max(count, 1)))",
            "\"labels\":\(PlaygroundJSON.ints(labels))", "\"predicted\":\(PlaygroundJSON.ints(predicted))",
            "\"png\":\"data:image/png;base64,\(png().base64EncodedString())\"",
        ]
        return "// The \(count.grouped) \(split) images readers of vizsite's playground can browse, with "
            + "their labels and the model's predictions.\n"
            + "(window.vizsiteSprites = window.vizsiteSprites || {})[\(PlaygroundJSON.string(key))] = {"
            + fields.joined(separator: ",") + "};\n"
    }
}

/// JSON literals for the playground's scripts.
enum PlaygroundJSON {
    static func string(_ value: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [value], options: [.withoutEscapingSlashes])
        let text = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
        return String(text.dropFirst().dropLast())
    }

    static func ints(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ",") + "]" }

    static func floats(_ values: [Float]) -> String { "[" + values.map { "\($0)" }.joined(separator: ",") + "]" }
}
