import CKernels
import Foundation

/// How a `Conv2D` computes its forward pass.
///
/// - `winograd`: Winograd F(2×2, 3×3) (CKernels/winograd.c) for 3×3, stride-1, valid
///   convolutions with at least 8 input channels: 16 multiplies per 2×2 output tile and
///   channel pair instead of 36.
/// - `direct`: a direct convolution (CKernels/direct.c) for stride-1, valid convolutions
///   with few input channels, whose im2col GEMM would be too shallow to run fast.
/// - `im2col`: im2col + OpenBLAS GEMM, for everything else and on CPUs without AVX2/FMA.
///
/// The fast kernels' results differ from im2col's in the last bits of float32 rounding.
/// Training and the backward pass always use im2col + GEMM.
public enum ConvolutionKernel: String, Sendable {
    case im2col, winograd, direct

    /// Whether the CPU runs the hand-written kernels; `VIZSITE_CONV_KERNELS=0` turns them
    /// off (for comparing).
    public static let fastKernelsAvailable = vz_kernels_available() != 0
        && ProcessInfo.processInfo.environment["VIZSITE_CONV_KERNELS"] != "0"

    static func choose(inputShape: [Int], outputShape: [Int], kernelSize: (height: Int, width: Int),
                       strides: (height: Int, width: Int), padding: Padding) -> ConvolutionKernel {
        let filters = outputShape[2], channels = inputShape[2]
        guard fastKernelsAvailable, strides == (1, 1), padding == .valid, filters % 8 == 0,
              outputShape[0] > 0, outputShape[1] > 0 else { return .im2col }
        if kernelSize == (3, 3) && channels >= 8 { return .winograd }
        if kernelSize.height * kernelSize.width * channels <= 32 && filters <= 64 { return .direct }
        return .im2col
    }
}

extension Conv2D {
    /// Floats of scratch the fast kernels need: one Winograd block per core.
    var fastScratchCount: Int {
        guard forwardKernel == .winograd else { return 0 }
        return Parallelism.workers * vz_winograd_scratch(Int32(inputShape[2]), Int32(filters))
    }

    private var tilesPerSample: Int { ((outputShape[0] + 1) / 2) * ((outputShape[1] + 1) / 2) }

    func forwardWinograd(_ io: LayerIO) {
        let (h, w, c, k) = (Int32(inputShape[0]), Int32(inputShape[1]), Int32(inputShape[2]), Int32(filters))
        let transformed = WinogradKernels.shared.transformed(io.parameters, inputs: inputShape[2], outputs: filters)
        let biasOffset = patchSize * filters, relu: Int32 = activation == .relu ? 1 : 0
        let blockScratch = vz_winograd_scratch(c, k)
        let parts = splitRange(io.batch * tilesPerSample, parts: min(io.threads, Parallelism.workers))
        let io = UncheckedIO(io), u = SharedPointer(transformed.pointer)
        Parallelism.run(parts.count) { p in
            vz_winograd_forward(io.value.input, h, w, c, u.base, io.value.parameters + biasOffset, k, relu, io.value.output,
                                parts[p].lowerBound, parts[p].upperBound, io.value.scratch + p * blockScratch)
        }
        withExtendedLifetime(transformed) {}
    }

    func forwardDirect(_ io: LayerIO) {
        let (h, w, c, k) = (Int32(inputShape[0]), Int32(inputShape[1]), Int32(inputShape[2]), Int32(filters))
        let biasOffset = patchSize * filters, relu: Int32 = activation == .relu ? 1 : 0
        let (kh, kw) = (Int32(kernelSize.height), Int32(kernelSize.width))
        let parts = splitRange(io.batch * pixelsPerSample, parts: min(io.threads, Parallelism.workers))
        let io = UncheckedIO(io)
        Parallelism.run(parts.count) { p in
            vz_conv_direct_forward(io.value.input, h, w, c, io.value.parameters, kh, kw,
                                   io.value.parameters + biasOffset, k, relu,
                                   io.value.output, parts[p].lowerBound, parts[p].upperBound)
        }
    }
}

/// Winograd-transformed kernels `U[16][in][out]`, kept per kernel and recomputed when its
/// values change (training updates weights in place): a transform is reused only while
/// the kernel it was made from is byte-identical to the one asked for.
final class WinogradKernels: @unchecked Sendable {
    static let shared = WinogradKernels()

    /// A transform and a copy of the kernel it was made from.
    final class Transformed: @unchecked Sendable {
        let kernel: UnsafeMutablePointer<Float>
        let kernelCount: Int
        let pointer: UnsafeMutablePointer<Float>

        init(kernel source: UnsafePointer<Float>, inputs c: Int, outputs k: Int) {
            kernelCount = 9 * c * k
            kernel = .allocate(capacity: kernelCount)
            kernel.update(from: source, count: kernelCount)
            pointer = .allocate(capacity: 16 * c * k)
            vz_winograd_transform_kernel(source, Int32(c), Int32(k), pointer)
        }

        func matches(_ other: UnsafePointer<Float>, count: Int) -> Bool {
            count == kernelCount && memcmp(kernel, other, count * MemoryLayout<Float>.size) == 0
        }

        deinit {
            kernel.deallocate()
            pointer.deallocate()
        }
    }

    private var entries: [UnsafeMutableRawPointer: Transformed] = [:]
    private let lock = NSLock()

    /// The transform of the HWIO 3×3 kernel at `kernel` (`[3, 3, inputs, outputs]`).
    func transformed(_ kernel: UnsafePointer<Float>, inputs: Int, outputs: Int) -> Transformed {
        let key = UnsafeMutableRawPointer(mutating: kernel)
        lock.lock()
        defer { lock.unlock() }
        if let entry = entries[key], entry.matches(kernel, count: 9 * inputs * outputs) { return entry }
        // Kernels of models that are gone are never asked for again: keep the cache small.
        if entries.count >= 16 { entries.removeAll() }
        let entry = Transformed(kernel: kernel, inputs: inputs, outputs: outputs)
        entries[key] = entry
        return entry
    }
}
