import Foundation
import SpectrumAnalysis

/// State shared by the benchmark sections: the loaded model, corpus, windows and paths.
struct Session {
    let bench: SpectrumBench
    let swift: InProcess
    let windows: [PackedSequence]
    let idsPath: String
    let analyzePath: String
    /// Seconds spent loading each component in this process (for the profile).
    let loadSeconds: [(String, Double)]

    init(bench: SpectrumBench) throws {
        self.bench = bench
        let model = URL(fileURLWithPath: bench.model)
        var loads: [(String, Double)] = []
        let (tokenizer, t1) = try timed { try Tokenizer(contentsOf: model.appendingPathComponent("tokenizer.json")) }
        let (encoder, t2) = try timed { try Encoder(directory: model) }
        let (corpus, t3) = try timed { try Corpus(contentsOf: URL(fileURLWithPath: bench.corpus)) }
        let packer = try SequencePacker(tokenizer: tokenizer, sequenceLength: bench.sequenceLength)
        let (windows, t4) = try timed { try packer.windows(of: corpus, limit: max(bench.sequences, bench.rssSequences)) }
        loads = [("load tokenizer.json", t1), ("load model.safetensors", t2), ("read + split corpus", t3),
                 ("tokenize + pack \(max(bench.sequences, bench.rssSequences)) windows", t4)]
        guard windows.count >= max(bench.sequences, bench.rssSequences) else {
            throw BenchError.input("corpus \(bench.corpus) holds only \(windows.count) windows of \(bench.sequenceLength) tokens")
        }
        swift = InProcess(model: model, corpus: corpus, tokenizer: tokenizer, encoder: encoder)
        self.windows = windows
        loadSeconds = loads
        idsPath = "\(bench.work)/ids-\(bench.sequenceLength).json"
        try JSONSerialization.data(withJSONObject: windows[0].inputIds.map { Int($0) }).write(to: URL(fileURLWithPath: idsPath))
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        analyzePath = bench.analyze ?? here.appendingPathComponent("spectrum-analyze").path
        guard FileManager.default.isExecutableFile(atPath: analyzePath) else {
            throw BenchError.input("spectrum-analyze binary not found at \(analyzePath) (build it with `swift build -c release`, or pass --analyze)")
        }
    }

    var script: (String) -> String { { "\(bench.scripts)/\($0)" } }

    /// 1. Tokenizer throughput, one encode per line on one thread; parallel batch as extra rows.
    func tokenizer(into results: inout Results) throws {
        log("tokenizer")
        let tokenizerJSON = "\(bench.model)/tokenizer.json"
        let s = swift.tokenizerThroughput(repeats: 3)
        let command = [bench.python, script("bench-tokenizers-python.py"), tokenizerJSON, bench.corpus]
        let (_, py) = try ChildProcess.json(command)
        let pyMB = try py.number("mb_per_s", from: "bench-tokenizers-python.py")
        let pyIds = Int(try py.number("ids", from: "bench-tokenizers-python.py"))
        results.compare("1 tokenizer", "encode per line, 1 thread (best of 3)", unit: "MB/s", swift: s.mbPerSecond, python: pyMB,
                        higherIsBetter: true, target: 1,
                        note: "\(swift.corpus.lines.count) lines; ids Swift \(s.ids) vs Python \(pyIds)\(s.ids == pyIds ? " (equal)" : " (DIFFER)")")
        results.samples["tokenizer_swift_mb_per_s"] = s.samples
        let batch = swift.batchThroughput(repeats: 3)
        let (_, pyBatch) = try ChildProcess.json(command + ["--batch"])
        results.compare("1 tokenizer", "batch, all cores (best of 3)", unit: "MB/s", swift: batch,
                        python: try pyBatch.number("mb_per_s", from: "bench-tokenizers-python.py --batch"), higherIsBetter: true)
    }

    /// 2. Encoder forward with P captured, threads 1 and 2, toolkit vs PyTorch eager.
    func forward(into results: inout Results) throws {
        let ids = windows[0].inputIds
        for threads in [1, 2] {
            log("forward, \(threads) thread(s)")
            var swiftSamples: [Double] = [], pySamples: [Double] = []
            for _ in 0..<bench.rounds {
                swiftSamples += try swift.forwardSeconds(ids: ids, threads: threads, repeats: 5)
                let (_, py) = try ChildProcess.json([bench.python, script("bench-forward-python.py"), "--model", bench.model,
                                                     "--ids", idsPath, "--threads", "\(threads)", "--repeats", "5", "--warmup", "1"])
                pySamples.append(try py.number("seconds_per_forward", from: "bench-forward-python.py"))
            }
            results.compare("2 forward", "n=\(ids.count), capture P, \(threads) thread(s)", unit: "ms",
                            swift: median(swiftSamples) * 1e3, python: median(pySamples) * 1e3, higherIsBetter: false, target: 1,
                            note: threads == 1 ? "Swift: median of \(swiftSamples.count) passes; PyTorch: median of \(pySamples.count) per-round medians of 5 (output_attentions=True, eager)" : nil)
            results.samples["forward_swift_s_threads\(threads)"] = swiftSamples
            results.samples["forward_torch_s_threads\(threads)"] = pySamples
        }
    }

    /// 3. SVD per head (real P of the first window) and the 72-head stage on 2 workers.
    func svd(into results: inout Results) throws {
        log("svd")
        let n = bench.sequenceLength
        let heads = try swift.attention(ids: windows[0].inputIds)
        let c = swift.encoder.configuration
        // Two heads per layer, so every depth (sharp early heads, diffuse late ones) is represented.
        let chosen = (0..<c.layerCount).flatMap { l in [0, c.headCount / 2].map { heads[l * c.headCount + $0] } }
        let matricesPath = "\(bench.work)/heads-\(n).f32"
        let bytes = chosen.flatMap { $0 }.withUnsafeBufferPointer { Data(buffer: $0) }
        try bytes.write(to: URL(fileURLWithPath: matricesPath))
        var swiftMs: [String: [Double]] = [:], pyMs: [String: [Double]] = [:]
        for _ in 0..<bench.rounds {
            swiftMs["kernel", default: []].append(try SVDBench.kernelPerMatrix(chosen, n: n, repeats: 1))
            for method in [SingularValueMethod.gesdd, .sgesdd] {
                swiftMs[method.rawValue, default: []].append(try SVDBench.perMatrix(chosen, n: n, method: method, repeats: 1))
            }
            let (_, py) = try ChildProcess.json([bench.python, script("bench-python-pipeline.py"), "svd", "--matrices", matricesPath,
                                                 "--count", "\(chosen.count)", "--n", "\(n)", "--repeats", "1"],
                                                environment: ["OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"])
            for key in ["float32_ms", "float64_ms"] { pyMs[key, default: []].append(try py.number(key, from: "bench-python-pipeline.py svd")) }
        }
        let scipy32 = median(pyMs["float32_ms"] ?? []), scipy64 = median(pyMs["float64_ms"] ?? [])
        let note = "\(chosen.count) real heads (2 per layer) of window 0; 1 thread each side; scipy float32 = sgesdd, float64 = dgesdd"
        results.compare("3 svd", "per head: toolkit kernel (σ) vs scipy svdvals(float32)", unit: "ms", swift: median(swiftMs["kernel"] ?? []),
                        python: scipy32, higherIsBetter: false, note: note + "; kernel = HeadSpectralKernel.spectrum, what the pipeline runs")
        results.compare("3 svd", "per head: gesdd vs scipy svdvals(float64)", unit: "ms", swift: median(swiftMs["gesdd"] ?? []),
                        python: scipy64, higherIsBetter: false)
        results.compare("3 svd", "per head: sgesdd vs scipy svdvals(float32)", unit: "ms", swift: median(swiftMs["sgesdd"] ?? []),
                        python: scipy32, higherIsBetter: false)
        var stage2: [Double] = [], busy: [Double] = [], stage1: [Double] = [], cpu2: [Double] = [], cpu1: [Double] = []
        for _ in 0..<bench.rounds {
            let two = SVDBench.stage(heads, n: n, workers: 2)
            stage2.append(two.seconds)
            busy.append(two.busyCores)
            cpu2.append(two.cpu)
            let one = SVDBench.stage(heads, n: n, workers: 1)
            stage1.append(one.seconds)
            cpu1.append(one.cpu)
        }
        let pyStage = scipy32 * Double(heads.count)
        results.compare("3 svd", "\(heads.count)-head stage, kernel, 2 workers vs \(heads.count) × scipy(float32)", unit: "s/seq",
                        swift: median(stage2), python: pyStage / 1e3, higherIsBetter: false,
                        note: "CPU/wall during the 2-worker stage = \(format(median(busy))) busy cores (target: 2); 1 worker: \(format(median(stage1))) s; Python side = \(heads.count) × the per-head scipy float32 time, sequential like the user's loop")
        results.single("3 svd", "busy cores during 2-worker stage (CPU s / wall s)", unit: "cores", swift: median(busy), target: "≈ 2",
                       met: median(busy) > 1.7,
                       note: "stage CPU seconds: 2 workers \(format(median(cpu2))), 1 worker \(format(median(cpu1))) (equal = no parallel overhead); below 2 busy cores means other processes held the CPUs (load average \(loadAverage()))")
        results.samples["svd_stage_2workers_cpu_s"] = cpu2
        results.samples["svd_stage_1worker_cpu_s"] = cpu1
        results.samples["svd_stage_2workers_s"] = stage2
        results.samples["svd_stage_1worker_s"] = stage1
        for (method, values) in swiftMs { results.samples["svd_ms_\(method)"] = values }
        for (key, values) in pyMs { results.samples["svd_scipy_\(key)"] = values }
    }
}
