import CNN
import Foundation

/// The speed figures of `vizsite bench`, measured as the PyTorch anchor measures them:
/// medians of three repeats after warm-up, with the CPU time per wall second recorded.
struct BenchFigures: Encodable {
    var blasCore = BLAS.coreName
    var threads = Parallelism.workers
    /// Which forward kernel each convolution runs (CKernels or im2col + BLAS).
    var convForwardKernels: [String: String] = [:]
    var avx2FmaKernels = false
    var training: (imagesPerSecond: Double, coresUsed: Double, batch: Int)?
    var inference:
        (imagesPerSecond: Double, coresUsed: Double, latency: Double, latencyMin: Double, latencyP90: Double)?
    /// `--explain`: milliseconds per method, keyed as the anchor names them (`gradcam_ms`).
    var explanations: [String: Double] = [:]

    /// The keys of the PyTorch anchor's JSON, written out so that they stay exactly those.
    func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: NamedKey.self)
        try out.encode(blasCore, forKey: "blas_core")
        try out.encode(threads, forKey: "threads")
        try out.encode(convForwardKernels, forKey: "conv_forward_kernels")
        try out.encode(avx2FmaKernels, forKey: "avx2_fma_kernels")
        if let training {
            try out.encode(training.imagesPerSecond, forKey: "train_images_per_s")
            try out.encode(training.coresUsed, forKey: "train_cpu_cores_used")
            try out.encode(training.batch, forKey: "train_batch")
        }
        if let inference {
            try out.encode(inference.imagesPerSecond, forKey: "infer_images_per_s_b128")
            try out.encode(inference.coresUsed, forKey: "infer_cpu_cores_used")
            try out.encode(inference.latency, forKey: "infer_latency_ms_b1")
            try out.encode(inference.latencyMin, forKey: "infer_latency_ms_b1_min")
            try out.encode(inference.latencyP90, forKey: "infer_latency_ms_b1_p90")
        }
        for (key, value) in explanations { try out.encode(value, forKey: NamedKey(key)) }
    }

    /// Records which forward kernel each convolution of `model` runs.
    mutating func recordKernels(_ model: Model) {
        convForwardKernels = Dictionary(
            uniqueKeysWithValues: model.layers.compactMap { layer in
                (layer as? Conv2D).map { ($0.name, $0.forwardKernel.rawValue) }
            })
        avx2FmaKernels = ConvolutionKernel.fastKernelsAvailable
    }

    mutating func measureTraining(_ model: Model, data: Dataset, steps: Int) {
        let batch = model.training.batchSize
        let trainer = Trainer(model: model)
        var random = SeededRandom(seed: 7)
        let batches = (0..<(3 + 3 * steps)).map { _ in
            (0..<batch).map { _ in Int.random(in: 0..<data.count, using: &random) }[...]
        }
        for b in batches.prefix(3) { trainer.trainStep(data: data, indices: b) }
        var rates: [Double] = [], cores: [Double] = []
        for r in 0..<3 {
            let (wall, cpu) = timed {
                for b in batches[(3 + r * steps)..<(3 + (r + 1) * steps)] { trainer.trainStep(data: data, indices: b) }
            }
            rates.append(Double(steps * batch) / wall)
            cores.append(cpu / wall)
        }
        training = (median(rates), median(cores), batch)
    }

    mutating func measureInference(_ model: Model, data: Dataset, batches: Int, calls: Int) {
        let predictor = Predictor(model: model, maxBatch: 128)
        var logits = [Float](repeating: 0, count: 128 * model.classCount)
        data.images.scalars.withUnsafeBufferPointer { x in
            logits.withUnsafeMutableBufferPointer { out in
                let size = model.inputShape.elementCount
                func batchStart(_ i: Int) -> UnsafePointer<Float> {
                    x.baseAddress! + (i * 128 % (data.count - 128)) * size
                }
                for i in 0..<3 { predictor.logits(batchStart(i), count: 128, into: out.baseAddress!) }
                var rates: [Double] = [], cores: [Double] = []
                for _ in 0..<3 {
                    let (wall, cpu) = timed {
                        for i in 0..<batches { predictor.logits(batchStart(i), count: 128, into: out.baseAddress!) }
                    }
                    rates.append(Double(batches * 128) / wall)
                    cores.append(cpu / wall)
                }
                let throughput = (median(rates), median(cores))
                for i in 0..<20 { predictor.logits(x.baseAddress! + i * size, count: 1, into: out.baseAddress!) }
                var times: [Double] = []
                for i in 0..<calls {
                    let (wall, _) = timed {
                        predictor.logits(x.baseAddress! + (i % data.count) * size, count: 1, into: out.baseAddress!)
                    }
                    times.append(wall * 1000)
                }
                times.sort()
                inference = (
                    throughput.0, throughput.1, median(times), times.first ?? 0,
                    times[min(times.count - 1, times.count * 9 / 10)]
                )
            }
        }
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }
}

/// A JSON key written as given.
struct NamedKey: CodingKey, ExpressibleByStringLiteral {
    let stringValue: String
    init(_ name: String) { stringValue = name }
    init(stringLiteral name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

/// Wall and process CPU seconds of `body`.
func timed(_ body: () -> Void) -> (wall: Double, cpu: Double) {
    func now(_ clock: clockid_t) -> Double {
        var t = timespec()
        clock_gettime(clock, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
    let (w0, c0) = (now(CLOCK_MONOTONIC), now(CLOCK_PROCESS_CPUTIME_ID))
    body()
    return (now(CLOCK_MONOTONIC) - w0, now(CLOCK_PROCESS_CPUTIME_ID) - c0)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

/// The median wall time of `calls` calls of `body`, in milliseconds, after `warmup` untimed
/// ones; the first error ends the measurement.
func medianMilliseconds(warmup: Int, calls: Int, _ body: () throws -> Void) throws -> Double {
    for _ in 0..<warmup { try body() }
    var times: [Double] = []
    for _ in 0..<calls {
        var failure: Error?
        let (wall, _) = timed { do { try body() } catch { failure = error } }
        if let failure { throw failure }
        times.append(wall * 1000)
    }
    return median(times)
}
