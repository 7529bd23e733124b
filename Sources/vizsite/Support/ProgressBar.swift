import CNN
import Foundation
import Synchronization

/// Training progress on standard error: a live bar redrawn in place on a terminal,
/// plain lines (about ten per epoch) otherwise.
final class ProgressBar: Sendable {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    /// When the bar was last drawn, and the step of the last plain line.
    private let state = Mutex<(lastDraw: Date, lastLineStep: Int)>((.distantPast, 0))

    func update(_ p: TrainingProgress) {
        state.withLock { draw(p, &$0) }
    }

    private func draw(_ p: TrainingProgress, _ state: inout (lastDraw: Date, lastLineStep: Int)) {
        let done = p.step == p.steps
        let eta = p.imagesPerSecond > 0 ? p.elapsed / Double(p.step) * Double(p.steps - p.step) : 0
        let figures = String(
            format: "loss %.4f  acc %.2f%%  %.0f img/s  %@",
            p.loss, p.accuracy * 100, p.imagesPerSecond, done ? "in \(Self.clock(p.elapsed))" : "ETA \(Self.clock(eta))"
        )
        if isTerminal {
            guard done || Date().timeIntervalSince(state.lastDraw) > 0.1 else { return }
            state.lastDraw = Date()
            let width = 24, filled = width * p.step / max(p.steps, 1)
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            write(
                "\r\u{1B}[2Kepoch \(p.epoch)/\(p.epochs) \(bar) \(p.step)/\(p.steps)  \(figures)" + (done ? "\n" : ""))
        } else if done || p.step - state.lastLineStep >= max(p.steps / 10, 1) {
            state.lastLineStep = done ? 0 : p.step
            write("epoch \(p.epoch)/\(p.epochs) step \(p.step)/\(p.steps)  \(figures)\n")
        }
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
