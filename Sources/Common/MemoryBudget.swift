import Foundation

/// The memory a model's weights may take: what this machine (or its container) has
/// available when the model is read. It replaces a fixed parameter cap, which turned away
/// VGG-16 on a machine with gigabytes to spare and would let through a model that cannot
/// fit on a small one. Readers ask it before they decode weights, so a refusal comes
/// before the work and names the layer where the weights outgrow the machine.
public struct MemoryBudget: Sendable, Equatable {
    /// Bytes that may be used.
    public var bytes: Int

    public init(bytes: Int) { self.bytes = bytes }

    /// What this machine has available now: the kernel's `MemAvailable`, lowered to the
    /// room left under a cgroup's `memory.max` when the process runs in a container.
    public static var machine: MemoryBudget {
        var available = physicalMemory
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        {
            available = kilobytes * 1024
        }
        if let limit = cgroupNumber("memory.max"), let used = cgroupNumber("memory.current") {
            available = min(available, max(0, limit - used))
        }
        return MemoryBudget(bytes: available)
    }

    private static var physicalMemory: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages * size : 1 << 30
    }

    /// A number in the process's cgroup (v2) folder; nil for "max" or outside a cgroup.
    private static func cgroupNumber(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/sys/fs/cgroup/\(name)", encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Bytes held per float32 weight while a model file is read: the decoded values, the
    /// layer's own (reordered) copy and the packed parameter set each hold one.
    public static let bytesPerLoadedWeight = 12
    /// Bytes per weight of a model vizsite trains: the weights and their gradients, Adam's
    /// two moments, and the copies a load makes.
    public static let bytesPerTrainedWeight = 24

    /// Why weights do not fit: the layer where they outgrow the budget, the weights up to
    /// and including it, and the bytes those need against the bytes available.
    public struct Exceeded: Error, Sendable, Equatable {
        public let layer: String
        public let parameters: Int
        public let needed: Int
        public let available: Int

        public init(layer: String, parameters: Int, needed: Int, available: Int) {
            (self.layer, self.parameters, self.needed, self.available) = (layer, parameters, needed, available)
        }

        /// `the weights reach 138,357,544 parameters at layer 'fc1'; …`
        public var message: String {
            "the weights reach \(parameters.grouped) parameters at layer '\(layer)', which need about "
                + "\(MemoryBudget.describe(needed)) of memory; this machine has \(MemoryBudget.describe(available)) "
                + "available"
        }
    }

    /// Checks that `parameters` weights, reached at `layer`, fit at `bytesPerWeight` each.
    public func check(parameters: Int, at layer: String, bytesPerWeight: Int) throws(Exceeded) {
        let (needed, overflow) = parameters.multipliedReportingOverflow(by: bytesPerWeight)
        guard overflow || needed > bytes else { return }
        throw Exceeded(layer: layer, parameters: parameters, needed: overflow ? .max : needed, available: bytes)
    }

    /// The largest count of float32 values one tensor may decode into (a guard against a
    /// file that claims a huge tensor in a few bytes).
    public var largestTensor: Int { max(0, bytes / Self.bytesPerLoadedWeight) }

    /// `1.7 GB`, `530 MB`, `12 KB` (decimal units, as file managers show sizes).
    public static func describe(_ bytes: Int) -> String {
        let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")]
        let value = Double(bytes)
        for (size, unit) in units where value >= size {
            return String(format: value / size >= 100 ? "%.0f" : "%.1f", value / size) + " " + unit
        }
        return "\(bytes) bytes"
    }
}
