import CKernels
import Synchronization
import Foundation

/// How a `Conv2D` computes its forward pass.
///
/// - `winograd4x4`: Winograd F(4×4, 3×3) (CKernels/winograd4.c) for 3×3, stride-1, valid
///   or `same` (one cell of zeros) convolutions whose input channels are a multiple of 8: 36 multiplies per 4×4 output
///   tile and channel pair instead of 144.
/// - `winograd2x2`: Winograd F(2×2, 3×3) (CKernels/winograd.c) for the same with other
///   channel counts (at least 8): 16 multiplies per 2×2 tile instead of 36.
/// - `direct`: a direct convolution (CKernels/direct.c) for convolutions of any stride and
///   padding whose patch is shallow (kh·kw·c ≤ 160, not 1×1: first layers and stems), whose im2col
///   GEMM would be too shallow to run fast.
/// - `im2col`: im2col + OpenBLAS GEMM, for everything else and on CPUs without AVX2/FMA.
///
/// The fast kernels' results differ from im2col's in float32 rounding (F(4×4, 3×3): a few
/// 1e-6 of the outputs' magnitude). Training always uses im2col + GEMM, and so do forward
/// passes that a backward pass follows in place of Winograd (see `LayerIO.outputsOnly`).
public enum ConvolutionKernel: String, Sendable {
    case im2col, direct
    case winograd2x2 = "winograd-f2x2", winograd4x4 = "winograd-f4x4"
    /// One input channel per group (Conv2D+Depthwise.swift): Swift loops, any CPU.
    case depthwise

    /// Whether the CPU runs the hand-written kernels; `VIZSITE_CONV_KERNELS=0` turns them
    /// off (for comparing).
    public static let fastKernelsAvailable = vz_kernels_available() != 0 && fastPathsAllowed

    /// Whether the fast kernels multiply in AVX-512 registers where the CPU has them;
    /// `VIZSITE_AVX512=0` keeps them on AVX2 (for comparing; the products are bit-identical).
    public static let avx512Available =
        fastKernelsAvailable && vz_avx512_available() != 0
        && ProcessInfo.processInfo.environment["VIZSITE_AVX512"] != "0"

    /// Whether any path but im2col + GEMM may run: `VIZSITE_CONV_KERNELS=0` says no.
    public static let fastPathsAllowed = ProcessInfo.processInfo.environment["VIZSITE_CONV_KERNELS"] != "0"

    /// The kernel for an ungrouped, undilated convolution with `pads` zero cells around its
    /// input and, when `bias` is false, no bias. Winograd takes stride 1 with no padding or one
    /// cell on every side; the direct kernel any strides and padding.
    static func choose(
        inputShape: [Int], outputShape: [Int], kernelSize: (height: Int, width: Int),
        strides: (height: Int, width: Int), pads: Pads = Pads(top: 0, bottom: 0, left: 0, right: 0),
        bias: Bool = true
    ) -> ConvolutionKernel {
        let filters = outputShape[2], channels = inputShape[2]
        guard fastKernelsAvailable, filters % 8 == 0, outputShape[0] > 0, outputShape[1] > 0 else { return .im2col }
        let symmetric = pads.top == pads.bottom && pads.left == pads.right && pads.top == pads.left
        // Calls of few tiles through large transformed kernels run im2col instead
        // (`winogradPays`).
        let winograd = kernelSize == (3, 3) && strides == (1, 1) && symmetric && pads.top <= 1
        if winograd && channels % 8 == 0 { return .winograd4x4 }
        if winograd && channels >= 8 { return .winograd2x2 }
        // A patch of up to 160 values: ResNet's 7×7×3 stem (147) ran 2.1× faster direct
        // than through im2col + GEMM. A 1×1 convolution needs no im2col copy at stride 1,
        // and at stride 2 OpenBLAS's GEMM on its copied rows was 1.5–2.3× faster.
        if kernelSize != (1, 1) && kernelSize.height * kernelSize.width * channels <= 160 { return .direct }
        return .im2col
    }

    var winograd: WinogradVariant? {
        switch self {
        case .winograd2x2: .f2x2
        case .winograd4x4: .f4x4
        case .im2col, .direct, .depthwise: nil
        }
    }
}

/// The two Winograd algorithms and their C entry points.
enum WinogradVariant: Sendable {
    case f2x2, f4x4

    /// Output rows and columns per tile.
    var tileSize: Int { self == .f2x2 ? 2 : 4 }
    /// Elements of a transformed tile: the number of per-element GEMMs.
    var elements: Int { self == .f2x2 ? 16 : 36 }

    func tiles(outputHeight: Int, outputWidth: Int) -> Int {
        ((outputHeight + tileSize - 1) / tileSize) * ((outputWidth + tileSize - 1) / tileSize)
    }

    /// Floats of scratch per thread for `c` input and `k` output channels.
    func scratch(_ c: Int, _ k: Int) -> Int {
        self == .f2x2 ? vz_winograd_scratch(Int32(c), Int32(k)) : vz_winograd4_scratch(Int32(c), Int32(k))
    }

    func transformKernel(_ kernel: UnsafePointer<Float>, _ c: Int, _ k: Int, into u: UnsafeMutablePointer<Float>) {
        if self == .f2x2 {
            vz_winograd_transform_kernel(kernel, Int32(c), Int32(k), u)
        } else {
            vz_winograd4_transform_kernel(kernel, Int32(c), Int32(k), u)
        }
    }

    /// Tiles `tiles` of the 3×3 convolution of `x` (`h`×`w`×`c` per image, padded by `pad`);
    /// `avx512` only where the CPU has it.
    func forward(
        _ x: UnsafePointer<Float>, _ h: Int, _ w: Int, _ c: Int, pad: Int, u: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, _ k: Int, relu: Bool, into y: UnsafeMutablePointer<Float>,
        tiles: Range<Int>, scratch: UnsafeMutablePointer<Float>, avx512: Bool = ConvolutionKernel.avx512Available
    ) {
        let (h, w, c, k, pad, relu) = (Int32(h), Int32(w), Int32(c), Int32(k), Int32(pad), Int32(relu ? 1 : 0))
        let (begin, end, wide) = (tiles.lowerBound, tiles.upperBound, Int32(avx512 ? 1 : 0))
        if self == .f2x2 {
            vz_winograd_forward(x, h, w, c, pad, u, bias, k, relu, y, begin, end, scratch, wide)
        } else {
            vz_winograd4_forward(x, h, w, c, pad, u, bias, k, relu, y, begin, end, scratch, wide)
        }
    }
}

extension Conv2D {
    /// Floats of scratch the fast kernels need for `batch` images: one Winograd block per
    /// core, and for the backward pass also a group's gradient before the activation.
    func fastScratchCount(batch: Int) -> Int {
        guard let variant = forwardKernel.winograd else { return 0 }
        let (c, k) = (inputShape[2], filters)
        let forward = Parallelism.cores * variant.scratch(c, k)
        let group = winogradBackwardGroup(batch: batch)
        let backward = group * outputShape.elementCount + Parallelism.cores * variant.scratch(k, c)
        return max(forward, backward)
    }

    /// Images per call of the input gradient's Winograd pass: enough for
    /// `winogradBackwardTiles` tiles, so that reading the transformed kernels pays (one call
    /// per image read ResNet-18's 37 MB of 7×7×512 kernels for 4 tiles).
    func winogradBackwardGroup(batch: Int) -> Int {
        guard let variant = forwardKernel.winograd else { return 1 }
        let tiles = variant.tiles(outputHeight: inputShape[0], outputWidth: inputShape[1])
        return max(1, min(batch, (Self.winogradBackwardTiles + tiles - 1) / tiles))
    }

    /// Tiles per backward call when the batch allows: one block per core.
    static let winogradBackwardTiles = 2 * winogradBlockTiles

    /// Tiles the Winograd kernels take in one block, reading every transformed kernel once.
    static let winogradBlockTiles = Int(VZ_WINOGRAD_BLOCK)

    /// Images one call needs for a block of tiles when the transformed kernels are too large
    /// to stay close between calls (`winogradStreamingBytes`); nil for other layers.
    var winogradImagesPerCall: Int? {
        guard let variant = forwardKernel.winograd, winogradKernelBytes > Self.winogradStreamingBytes else {
            return nil
        }
        let tiles = variant.tiles(outputHeight: outputShape[0], outputWidth: outputShape[1])
        return (Self.winogradBlockTiles + tiles - 1) / tiles
    }

    /// Whether `backwardInputWinograd` computes this backward call: only the input's
    /// gradient is wanted (explanations, not training), and the layer's shape suits Winograd.
    func winogradBackwardApplies(_ io: LayerIO, _ gradients: LayerGradients) -> Bool {
        forwardKernel.winograd != nil && io.dropout == nil && gradients.parameters == nil && gradients.input != nil
            && inputShape[2] % 8 == 0 && winogradPays(batch: winogradBackwardGroup(batch: io.batch))
    }

    /// Whether a Winograd call on `batch` images outruns im2col + GEMM. Each call reads the
    /// transformed kernels, `elements`·c·k floats (four times the weights for F(4×4, 3×3)),
    /// once for all its tiles; past the L2 cache they stream from further away, and a call of
    /// few tiles cannot hide that: ResNet-50's 14×14×256 layers (9.4 MB of transformed
    /// kernels, 16 tiles per image) took 2.2–3.2 ms each for one image, 1.6 ms through GEMM,
    /// while its 28×28×128 layers (2.4 MB, 49 tiles) ran at 220 GFLOP/s, 1.3× GEMM's speed.
    func winogradPays(batch: Int) -> Bool {
        guard let variant = forwardKernel.winograd else { return false }
        let tiles = batch * variant.tiles(outputHeight: outputShape[0], outputWidth: outputShape[1])
        return tiles >= Self.winogradMinimumTiles || winogradKernelBytes <= Self.winogradStreamingBytes
    }

    /// The bytes of the transformed kernels: `elements`·c·k floats.
    var winogradKernelBytes: Int {
        (forwardKernel.winograd?.elements ?? 0) * inputShape[2] * filters * MemoryLayout<Float>.size
    }

    /// Tiles per call from which Winograd pays whatever its kernels' size (see `winogradPays`).
    static let winogradMinimumTiles = 32
    /// Transformed kernels up to this size stay close enough for calls of any size.
    static let winogradStreamingBytes = 4 << 20

    func forwardWinograd(_ io: LayerIO, _ variant: WinogradVariant) {
        let (h, w, c, k) = (inputShape[0], inputShape[1], inputShape[2], filters)
        let transformed = WinogradKernels.shared.transformed(
            io.parameters, inputs: c, outputs: k,
            variant: variant, flipped: false)
        let biasOffset = patchSize * filters, relu = activation == .relu
        let blockScratch = variant.scratch(c, k)
        let tiles = variant.tiles(outputHeight: outputShape[0], outputWidth: outputShape[1])
        let parts = splitRange(io.batch * tiles, parts: min(io.threads, Parallelism.workers))
        let io = UncheckedIO(io), u = SharedPointer(transformed.pointer)
        let pad = pads.top, bias = useBias ? SharedPointer(io.value.parameters + biasOffset) : nil
        Parallelism.run(parts.count) { p in
            variant.forward(
                io.value.input, h, w, c, pad: pad, u: u.base, bias: bias?.base, k,
                relu: relu, into: io.value.output, tiles: parts[p],
                scratch: io.value.scratch + p * blockScratch)
        }
        withExtendedLifetime(transformed) {}
    }

    /// The gradient with respect to the input, in groups of images, as a convolution: for a 3×3
    /// stride-1 valid layer, `dx` is the gradient before the activation, zero-padded by 2,
    /// convolved with the kernel rotated by 180° and its channels swapped
    /// (`W'[ky, kx, f, c] = W[2 - ky, 2 - kx, c, f]`), which Winograd computes with far
    /// fewer multiplies than the im2col GEMM and col2im.
    func backwardInputWinograd(_ io: LayerIO, _ gradients: LayerGradients) {
        let variant = forwardKernel.winograd!
        let (h, w, c, k) = (inputShape[0], inputShape[1], inputShape[2], filters)
        let transformed = WinogradKernels.shared.transformed(
            io.parameters, inputs: c, outputs: k,
            variant: variant, flipped: true)
        let imageSize = outputShape.elementCount, inputSize = inputShape.elementCount, dPre = io.scratch
        let group = winogradBackwardGroup(batch: io.batch)
        let blockScratch = variant.scratch(k, c), tiles = variant.tiles(outputHeight: h, outputWidth: w)
        let (oh, ow) = (outputShape[0], outputShape[1])
        let u = SharedPointer(transformed.pointer), scratch = SharedPointer(io.scratch + group * imageSize)
        let pre = SharedPointer(dPre)
        for start in stride(from: 0, to: io.batch, by: group) {
            let n = min(group, io.batch - start)
            activation.backward(
                output: io.output + start * imageSize, outputGradient: gradients.output + start * imageSize,
                into: dPre, count: n * imageSize, rule: gradients.rule)
            let dx = SharedPointer(gradients.input! + start * inputSize)
            let parts = splitRange(n * tiles, parts: min(io.threads, Parallelism.workers))
            Parallelism.run(parts.count) { p in
                // The transposed convolution of a forward pass padded by p pads by 2 − p.
                variant.forward(
                    pre.base, oh, ow, k, pad: 2 - pads.top, u: u.base, bias: nil, c, relu: false, into: dx.base,
                    tiles: parts[p], scratch: scratch.base + p * blockScratch)
            }
            for b in 0..<n { zeroOutsideSupport(dx.base + b * inputSize, gradient: dPre + b * imageSize) }
        }
        withExtendedLifetime(transformed) {}
    }

    /// Sets to exactly zero the input gradient of every pixel that no non-zero output
    /// gradient reaches. A direct computation gives those exact zeros; Winograd leaves
    /// residues of about 1e-9 from its transforms, which would break the ties among zeros
    /// that rank statistics (the sanity check's rank correlations) depend on.
    private func zeroOutsideSupport(_ dx: UnsafeMutablePointer<Float>, gradient dPre: UnsafePointer<Float>) {
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2])
        let (oh, ow, k) = (outputShape[0], outputShape[1], filters)
        withUnsafeTemporaryAllocation(of: Bool.self, capacity: oh * ow) { live in
            for p in 0..<(oh * ow) {
                var any = false
                for f in 0..<k where dPre[p * k + f] != 0 { any = true; break }
                live[p] = any
            }
            for iy in 0..<h {
                for ix in 0..<w {
                    var reached = false
                    // Output (oy, ox) reads inputs oy − p … oy − p + 2.
                    let p = pads.top
                    let top = max(iy + p - 2, 0), left = max(ix + p - 2, 0)
                    let rows = top..<max(top, min(iy + p + 1, oh)), cols = left..<max(left, min(ix + p + 1, ow))
                    for oy in rows {
                        for ox in cols where live[oy * ow + ox] { reached = true }
                    }
                    if !reached { (dx + (iy * w + ix) * c).update(repeating: 0, count: c) }
                }
            }
        }
    }

    /// Whether a Winograd layer's forward pass, where it cannot run Winograd (a backward pass
    /// through a max pooling follows, see `LayerIO.outputsOnly`), runs the direct kernel in
    /// AVX-512 registers rather than im2col + GEMM: both give every output the same chain of
    /// multiply-adds wherever it lies, and on the reference model's `conv2d_2` (3×3×32 → 64)
    /// OpenBLAS ran 73–79 GFLOP/s on two cores at batch 50. Each block of 64 filters is read
    /// once per six output pixels, so its weights must stay in L2 (≤ 1 MB: up to 455 input
    /// channels at 3×3).
    var deepDirectAvailable: Bool {
        ConvolutionKernel.avx512Available && filters % 16 == 0 && patchSize * 64 * 4 <= 1 << 20
    }

    func forwardDirect(_ io: LayerIO, avx512: Bool = false) {
        let (h, w, c, k) = (Int32(inputShape[0]), Int32(inputShape[1]), Int32(inputShape[2]), Int32(filters))
        let biasOffset = patchSize * filters, relu: Int32 = activation == .relu ? 1 : 0
        let (kh, kw) = (Int32(kernelSize.height), Int32(kernelSize.width))
        let (sh, sw) = (Int32(strides.height), Int32(strides.width))
        let (oh, ow) = (Int32(outputShape[0]), Int32(outputShape[1])), (pt, pl) = (Int32(padTop), Int32(padLeft))
        let rows = io.batch * outputShape[0], bias = useBias
        let parts = splitRange(rows, parts: min(io.threads, Parallelism.workers, rows))
        let io = UncheckedIO(io)
        Parallelism.run(parts.count) { p in
            vz_conv_direct_forward(
                io.value.input, h, w, c, io.value.parameters, kh, kw, sh, sw, pt, pl,
                bias ? io.value.parameters + biasOffset : nil, k, relu,
                io.value.output, oh, ow, parts[p].lowerBound, parts[p].upperBound, avx512 ? 1 : 0)
        }
    }
}

/// Winograd-transformed kernels `U[elements][in][out]`, kept per kernel and recomputed when its
/// values change (training updates weights in place): a transform is reused only while
/// the kernel it was made from is byte-identical to the one asked for.
final class WinogradKernels: Sendable {
    static let shared = WinogradKernels()

    /// A transform and a copy of the kernel it was made from.
    final class Transformed: @unchecked Sendable {  // raw buffers, written once in init and only read after
        let kernel: UnsafeMutablePointer<Float>
        let kernelCount: Int
        let pointer: UnsafeMutablePointer<Float>

        init(
            kernel source: UnsafePointer<Float>, inputs c: Int, outputs k: Int, variant: WinogradVariant, flipped: Bool
        ) {
            kernelCount = 9 * c * k
            kernel = .allocate(capacity: kernelCount)
            kernel.update(from: source, count: kernelCount)
            pointer = .allocate(capacity: variant.elements * c * k)
            guard flipped else {
                variant.transformKernel(source, c, k, into: pointer)
                return
            }
            let rotated = UnsafeMutablePointer<Float>.allocate(capacity: kernelCount)
            defer { rotated.deallocate() }
            for ky in 0..<3 {
                for kx in 0..<3 {
                    for ch in 0..<c {
                        for f in 0..<k {
                            rotated[((ky * 3 + kx) * k + f) * c + ch] =
                                source[(((2 - ky) * 3 + (2 - kx)) * c + ch) * k + f]
                        }
                    }
                }
            }
            variant.transformKernel(rotated, k, c, into: pointer)
        }

        func matches(_ other: UnsafePointer<Float>, count: Int) -> Bool {
            count == kernelCount && memcmp(kernel, other, count * MemoryLayout<Float>.size) == 0
        }

        deinit {
            kernel.deallocate()
            pointer.deallocate()
        }
    }

    /// A kernel's address, used only as an identity (never dereferenced through the key).
    private struct Key: Hashable, @unchecked Sendable {
        let kernel: UnsafeMutableRawPointer
        let variant: WinogradVariant
        let flipped: Bool
    }

    private let entries = Mutex<[Key: Transformed]>([:])

    /// The transform of the HWIO 3×3 kernel at `kernel` (`[3, 3, inputs, outputs]`), or with
    /// `flipped`, of that kernel rotated by 180° with its channels swapped (`[3, 3, outputs,
    /// inputs]`), for the backward pass.
    func transformed(
        _ kernel: UnsafePointer<Float>, inputs: Int, outputs: Int, variant: WinogradVariant,
        flipped: Bool
    ) -> Transformed {
        let key = Key(kernel: UnsafeMutableRawPointer(mutating: kernel), variant: variant, flipped: flipped)
        return entries.withLock { entries in
            if let entry = entries[key], entry.matches(kernel, count: 9 * inputs * outputs) { return entry }
            // Kernels of models that are gone are never asked for again: keep the cache small.
            if entries.count >= 16 { entries.removeAll() }
            let entry = Transformed(
                kernel: kernel, inputs: inputs, outputs: outputs, variant: variant, flipped: flipped)
            entries[key] = entry
            return entry
        }
    }
}
