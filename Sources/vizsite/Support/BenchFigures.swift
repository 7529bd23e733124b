import CNN
import Foundation

/// The speed figures of `vizsite bench`, measured as the PyTorch anchor measures them:
/// medians of three repeats after warm-up, with the CPU time per wall second recorded.
struct BenchFigures {
    var values: [String: Any] = [
        "blas_core": BLAS.coreName,
        "threads": Parallelism.workers,
    ]

    /// Which forward kernel each convolution of `model` runs (CKernels or im2col + BLAS).
    mutating func recordKernels(_ model: Model) {
        values["conv_forward_kernels"] = Dictionary(uniqueKeysWithValues: model.layers.compactMap { layer in
            (layer as? Conv2D).map { ($0.name, $0.forwardKernel.rawValue) }
        })
        values["avx2_fma_kernels"] = ConvolutionKernel.fastKernelsAvailable
    }

    mutating func measureTraining(_ model: Model, data: Dataset, steps: Int) {
        let batch = model.training.batchSize
        let trainer = Trainer(model: model)
        var random = SeededRandom(seed: 7)
        let batches = (0..<(3 + 3 * steps)).map { _ in (0..<batch).map { _ in Int.random(in: 0..<data.count, using: &random) }[...] }
        for b in batches.prefix(3) { trainer.trainStep(data: data, indices: b) }
        var rates: [Double] = [], cores: [Double] = []
        for r in 0..<3 {
            let (wall, cpu) = timed { for b in batches[(3 + r * steps) ..< (3 + (r + 1) * steps)] { trainer.trainStep(data: data, indices: b) } }
            rates.append(Double(steps * batch) / wall)
            cores.append(cpu / wall)
        }
        values["train_images_per_s"] = median(rates)
        values["train_cpu_cores_used"] = median(cores)
        values["train_batch"] = batch
    }

    mutating func measureInference(_ model: Model, data: Dataset, batches: Int, calls: Int) {
        let predictor = Predictor(model: model, maxBatch: 128)
        var logits = [Float](repeating: 0, count: 128 * model.classCount)
        data.images.scalars.withUnsafeBufferPointer { x in
            logits.withUnsafeMutableBufferPointer { out in
                let size = model.inputShape.elementCount
                func batchStart(_ i: Int) -> UnsafePointer<Float> { x.baseAddress! + (i * 128 % (data.count - 128)) * size }
                for i in 0..<3 { predictor.logits(batchStart(i), count: 128, into: out.baseAddress!) }
                var rates: [Double] = [], cores: [Double] = []
                for _ in 0..<3 {
                    let (wall, cpu) = timed { for i in 0..<batches { predictor.logits(batchStart(i), count: 128, into: out.baseAddress!) } }
                    rates.append(Double(batches * 128) / wall)
                    cores.append(cpu / wall)
                }
                values["infer_images_per_s_b128"] = median(rates)
                values["infer_cpu_cores_used"] = median(cores)
                for i in 0..<20 { predictor.logits(x.baseAddress! + i * size, count: 1, into: out.baseAddress!) }
                var times: [Double] = []
                for i in 0..<calls {
                    let (wall, _) = timed { predictor.logits(x.baseAddress! + (i % data.count) * size, count: 1, into: out.baseAddress!) }
                    times.append(wall * 1000)
                }
                times.sort()
                values["infer_latency_ms_b1"] = median(times)
                values["infer_latency_ms_b1_min"] = times.first ?? 0
                values["infer_latency_ms_b1_p90"] = times[min(times.count - 1, times.count * 9 / 10)]
            }
        }
    }

    func json() -> String {
        let data = try! JSONSerialization.data(withJSONObject: values, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
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
