import Foundation
import SpectrumAnalysis

extension Session {
    /// The LAPACK bound on the same real heads the pipelines see: for the first `--bound-sequences`
    /// windows, every head's P and V from the toolkit's encoder, each routine of ``LAPACKRoutes``
    /// timed on one thread (`--rounds` times), plus the toolkit's forward on one thread.
    ///
    ///     spectrum bound = (Σ_heads [dsyrk + dsytrd + dsterf] + forward) / cores
    ///     default bound  = (Σ_heads [dsyrk + dsytrd + dsterf + dstedc(I) + dormtr + dgemm] + forward with Q, K, V) / cores
    ///
    /// i.e. the least exact LAPACK work per sequence spread perfectly over the cores. The route's σ
    /// is compared with the toolkit's ``HeadSpectralKernel`` on the same head (the same calls, so 0),
    /// and the kernel is timed there too (what it costs over the bare calls).
    func bound(into results: inout Results) throws {
        let c = swift.encoder.configuration, n = bench.sequenceLength, d = c.headDimension
        let windowCount = min(bench.boundSequences, windows.count), rounds = bench.rounds
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let routes = try LAPACKRoutes(n: n, d: d)
        let kernel = HeadSpectralKernel(order: n)
        var perSequence = [[Double]](repeating: [], count: LAPACKRoutes.routines.count)
        var forward: [Double] = [], forwardQKV: [Double] = [], kernelPerSequence: [Double] = []
        var worstDifference = 0.0, heads = 0
        var sigma = [Double](repeating: 0, count: n), kernelSigma = [Double](repeating: 0, count: n)
        for w in 0..<windowCount {
            log("LAPACK bound, window \(w + 1)/\(windowCount), \(rounds) round(s) (load average \(loadAverage()))")
            let ids = windows[w].inputIds
            let (ps, vs) = try headsWithValues(ids: ids)
            heads = ps.count
            for round in 0..<rounds {
                forward.append(try timed { _ = try swift.encoder.forward(inputIds: ids, capture: .probabilities, threads: 1) { _ in } }.1)
                forwardQKV.append(try timed { _ = try swift.encoder.forward(inputIds: ids, capture: .probabilitiesAndQKV, threads: 1) { _ in } }.1)
                var sums = [Double](repeating: 0, count: LAPACKRoutes.routines.count), kernelSum = 0.0
                for (index, (p, v)) in zip(ps, vs).enumerated() {
                    // The toolkit's kernel on the same float head (widening, finiteness check, the same calls);
                    // before the route on every other head, so neither side always finds the caches warm.
                    func runKernel() throws {
                        kernelSum += try timed {
                            try p.withUnsafeBufferPointer { p in
                                try kernelSigma.withUnsafeMutableBufferPointer { try kernel.spectrum(of: p, into: $0) }
                            }
                        }.1
                    }
                    let kernelFirst = (index + round) % 2 == 1
                    if kernelFirst { try runKernel() }
                    let seconds = try p.withUnsafeBufferPointer { p in
                        try v.withUnsafeBufferPointer { v in
                            try sigma.withUnsafeMutableBufferPointer { s in
                                guard let p = p.baseAddress, let v = v.baseAddress, let s = s.baseAddress else { return [Double]() }
                                if round == 0 && index == 0 { _ = try routes.time(p: p, v: v, sigma: s) }  // warm-up
                                return try routes.time(p: p, v: v, sigma: s)
                            }
                        }
                    }
                    for r in seconds.indices { sums[r] += seconds[r] }
                    if !kernelFirst { try runKernel() }
                    if round == 0 {
                        let top = max(kernelSigma[0], .leastNormalMagnitude)
                        for i in 0..<n { worstDifference = max(worstDifference, abs(sigma[i] - kernelSigma[i]) / top) }
                    }
                }
                for r in sums.indices { perSequence[r].append(sums[r]) }
                kernelPerSequence.append(kernelSum)
            }
        }
        let medians = perSequence.map(median)
        var perHeadMs: [String: Double] = [:]
        for (r, name) in LAPACKRoutes.routines.enumerated() {
            perHeadMs[name] = medians[r] / Double(max(heads, 1)) * 1e3
            results.samples["bound_\(name)_s_per_sequence"] = perSequence[r]
        }
        results.samples["bound_forward_1thread_s"] = forward
        results.samples["bound_forward_qkv_1thread_s"] = forwardQKV
        let spectrumSeconds = medians[0] + medians[1] + medians[2], floorSeconds = medians[3] + medians[4] + medians[5]
        let f = median(forward), fQKV = median(forwardQKV)
        let measurement = BoundMeasurement(
            cores: cores, windows: windowCount, rounds: rounds, heads: heads, perHeadMs: perHeadMs,
            spectrumSeconds: spectrumSeconds, floorSeconds: floorSeconds, kernelSeconds: median(kernelPerSequence),
            forwardSeconds: f, forwardQKVSeconds: fQKV,
            spectrumBound: (spectrumSeconds + f) / Double(cores), defaultBound: (spectrumSeconds + floorSeconds + fQKV) / Double(cores),
            differenceFromKernel: worstDifference)
        results.bound = measurement

        let section = "5 LAPACK bound"
        let ms = { (name: String) in perHeadMs[name] ?? 0 }
        let note = "\(heads) real heads × \(windowCount) window(s) × \(rounds) round(s), 1 thread, column-major, double copies made outside the timings; medians of per-sequence sums"
        for name in LAPACKRoutes.routines {
            results.single(section, "\(name), per head", unit: "ms", swift: ms(name), note: name == "dsyrk" ? note : nil)
        }
        results.single(section, "σ route dsyrk + dsytrd + dsterf, per head", unit: "ms", swift: ms("dsyrk") + ms("dsytrd") + ms("dsterf"),
                       note: "max |σ_route − σ_kernel| / σ₁ = \(format(worstDifference)) (the toolkit's HeadSpectralKernel on the same float P)")
        results.single(section, "toolkit HeadSpectralKernel.spectrum on the same heads, per head", unit: "ms",
                       swift: median(kernelPerSequence) / Double(max(heads, 1)) * 1e3,
                       note: "float P in: widening to double and the finiteness check included; over the σ route: "
                           + "\(format(median(kernelPerSequence) / max(spectrumSeconds, .leastNormalMagnitude)))×")
        results.samples["bound_kernel_s_per_sequence"] = kernelPerSequence
        results.single(section, "dsyrk + dsyevd(N), per head (for the record)", unit: "ms", swift: ms("dsyrk") + ms("dsyevd(N)"))
        results.single(section, "floor extra: dstedc(I) + dormtr(n×\(d)) + dgemm, per head", unit: "ms",
                       swift: ms("dstedc(I)") + ms("dormtr") + ms("dgemm"))
        results.single(section, "toolkit forward, 1 thread, P captured (P, Q, K, V)", unit: "s/seq", swift: f,
                       note: "Q, K, V captured too: \(format(fQKV)) s")
        results.single(section, "spectrum bound = (Σ_heads σ route + forward) / cores", unit: "s/seq", swift: measurement.spectrumBound,
                       note: "(\(format(spectrumSeconds)) + \(format(f))) / \(cores)")
        results.single(section, "default-job bound = (Σ_heads [σ route + floor extra] + forward QKV) / cores", unit: "s/seq",
                       swift: measurement.defaultBound,
                       note: "(\(format(spectrumSeconds)) + \(format(floorSeconds)) + \(format(fQKV))) / \(cores); Theorem 1/2 checks not included")
    }

    /// Every head's P `[n·n]` and V `[n·d]` of `ids` (float, as the encoder hands them over), in (layer, head) order.
    func headsWithValues(ids: [Int32]) throws -> ([[Float]], [[Float]]) {
        var ps: [[Float]] = [], vs: [[Float]] = []
        _ = try swift.encoder.forward(inputIds: ids, capture: .probabilitiesAndQKV, threads: 1) { layer in
            let n = layer.sequenceLength, block = n * n, width = n * layer.headDimension
            guard let values = layer.values, values.count >= layer.heads * width, layer.probabilities.count >= layer.heads * block else {
                throw BenchError.output("encoder forward", "layer \(layer.layer) lacks P or V for \(layer.heads) heads")
            }
            for h in 0..<layer.heads {
                ps.append(Array(layer.probabilities[h * block ..< (h + 1) * block]))
                vs.append(Array(values[h * width ..< (h + 1) * width]))
            }
        }
        return (ps, vs)
    }
}
