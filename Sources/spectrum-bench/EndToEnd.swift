import Foundation
import SpectrumAnalysis

extension Session {
    /// argv of `spectrum-analyze run` on the first `sequences` windows.
    func analyzeRun(sequences: Int, output: String, projection: Bool) -> [String] {
        [analyzePath, "run", "--model", bench.model, "--corpus", bench.corpus, "--seq-len", "\(bench.seqLen)",
         "--sequences", "\(sequences)", "--output", output, "--force", "--quiet"] + (projection ? [] : ["--no-projection"])
    }

    /// 4 and 5. The real binary against the Python pipeline, wall clock of whole processes; peak RSS.
    func endToEnd(into results: inout Results) throws {
        let S = bench.sequences
        let runPath = "\(bench.work)/e2e-\(S).h5", sigmaPath = "\(bench.work)/python-sigma-\(S).f64"
        var swiftWall: [Double] = [], swiftRSS: [Int] = [], pyWall: [Double] = [], pyLoop: [Double] = []
        var swiftCPU: [Double] = [], pyCPU: [Double] = []
        var pyStages: [String: [Double]] = [:]
        for round in 0..<bench.rounds {
            log("end-to-end round \(round + 1)/\(bench.rounds): spectrum-analyze run")
            let s = try ChildProcess.run(analyzeRun(sequences: S, output: runPath, projection: false))
            swiftWall.append(s.wall)
            swiftRSS.append(s.maxRSSKiB)
            swiftCPU.append(s.cpu)
            log("end-to-end round \(round + 1)/\(bench.rounds): Python pipeline (\(format(s.wall)) s for Swift)")
            // OPENBLAS_NUM_THREADS=1 is the Python pipeline's best setting here: with scipy's OpenBLAS on
            // both cores, its threads fight torch's spinning OpenMP workers and the SVDs get several times slower.
            let (p, py) = try ChildProcess.json([bench.python, script("bench-python-pipeline.py"), "--model", bench.model,
                                                 "--corpus", bench.corpus, "--sequences", "\(S)", "--seq-len", "\(bench.seqLen)"]
                                                + (round == 0 ? ["--sigma-out", sigmaPath] : []),
                                                environment: ["OPENBLAS_NUM_THREADS": "1"])
            pyWall.append(p.wall)
            pyCPU.append(p.cpu)
            pyLoop.append(try py.number("loop_s", from: "bench-python-pipeline.py"))
            for key in ["setup_s", "tokenize_s", "forward_per_sequence_s", "svd_per_sequence_s"] {
                pyStages[key, default: []].append(try py.number(key, from: "bench-python-pipeline.py"))
            }
        }
        let sw = median(swiftWall), pw = median(pyWall)
        results.compare("4 end-to-end", "run, \(S) seq, --no-projection (process wall clock)", unit: "seq/s",
                        swift: Double(S) / sw, python: Double(S) / pw, higherIsBetter: true, target: 3,
                        note: "wall medians: Swift \(format(sw)) s (\(swiftWall.map(format).joined(separator: ", "))), Python \(format(pw)) s (\(pyWall.map(format).joined(separator: ", "))); both include process start and model load; Python with OPENBLAS_NUM_THREADS=1, torch default threads")
        results.compare("4 end-to-end", "CPU seconds per sequence (user + sys, whole process)", unit: "s/seq",
                        swift: median(swiftCPU) / Double(S), python: median(pyCPU) / Double(S), higherIsBetter: false,
                        note: "less sensitive to other processes on the shared cores than the wall clock; load average after: \(loadAverage())")
        results.samples["e2e_swift_cpu_s"] = swiftCPU
        results.samples["e2e_python_cpu_s"] = pyCPU
        let stageNote = pyStages.sorted { $0.key < $1.key }.map { "\($0.key) \(format(median($0.value)))" }.joined(separator: ", ")
        results.single("4 end-to-end", "Python stages (median s)", unit: "", swift: nil, note: stageNote)
        results.samples["e2e_swift_wall_s"] = swiftWall
        results.samples["e2e_python_wall_s"] = pyWall
        results.samples["e2e_python_loop_s"] = pyLoop
        try accuracy(runPath: runPath, pythonSigma: sigmaPath, into: &results)

        if !bench.skipProjection {
            let P = bench.projectionSequences
            var onWall: [Double] = [], offWall: [Double] = []
            for round in 0..<max(1, bench.rounds - 1) {
                log("projections on vs off, \(P) sequences, round \(round + 1)")
                onWall.append(try ChildProcess.run(analyzeRun(sequences: P, output: "\(bench.work)/proj-on-\(P).h5", projection: true)).wall)
                offWall.append(try ChildProcess.run(analyzeRun(sequences: P, output: "\(bench.work)/proj-off-\(P).h5", projection: false)).wall)
            }
            let perSequence = (median(onWall) - median(offWall)) / Double(P)
            results.single("4 end-to-end", "projection checks (default grid), extra per sequence", unit: "s/seq", swift: perSequence,
                           note: "\(P)-sequence runs, wall on: \(onWall.map(format).joined(separator: ", ")) s, off: \(offWall.map(format).joined(separator: ", ")) s")
            results.samples["projection_on_wall_s"] = onWall
            results.samples["projection_off_wall_s"] = offWall
        }

        log("peak RSS, \(bench.rssSequences) sequences")
        let big = try ChildProcess.run(analyzeRun(sequences: bench.rssSequences, output: "\(bench.work)/e2e-\(bench.rssSequences).h5", projection: false))
        let small = Double(swiftRSS.max() ?? 0) / 1024, large = Double(big.maxRSSKiB) / 1024
        let change = abs(large - small) / small
        results.single("5 memory", "peak RSS, \(S) sequences", unit: "MiB", swift: small, target: "< 1024", met: small < 1024)
        results.single("5 memory", "peak RSS, \(bench.rssSequences) sequences", unit: "MiB", swift: large, target: "within 10% of \(S)",
                       met: change <= 0.10 && large < 1024,
                       note: "change \(format(change * 100))%; wait4 rusage of each child; \(bench.rssSequences)-sequence run took \(format(big.wall)) s (\(format(Double(bench.rssSequences) / big.wall)) seq/s)")
        results.samples["rss_kib_\(S)"] = swiftRSS.map(Double.init)
        results.samples["rss_kib_\(bench.rssSequences)"] = [Double(big.maxRSSKiB)]
    }

    /// Largest |σ_Swift − σ_Python| / σ₁ over every head of the end-to-end run (same windows).
    func accuracy(runPath: String, pythonSigma: String, into results: inout Results) throws {
        let swiftSigma: [Double] = try RunFile(contentsOf: URL(fileURLWithPath: runPath)).read("spectrum/sigma")
        let data = try Data(contentsOf: URL(fileURLWithPath: pythonSigma))
        let python = data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        guard python.count == swiftSigma.count else {
            throw BenchError.output(pythonSigma, "\(python.count) values, the run file has \(swiftSigma.count)")
        }
        let n = bench.seqLen
        var worst = 0.0
        for block in 0..<(python.count / n) {
            let base = block * n, top = max(swiftSigma[base], 1e-300)
            for i in 0..<n { worst = max(worst, abs(swiftSigma[base + i] - python[base + i]) / top) }
        }
        results.single("4 end-to-end", "max |σ_swift − σ_scipy| / σ₁ over all heads", unit: "", swift: worst, target: "≤ 1e-5",
                       met: worst <= 1e-5, note: "scipy svdvals on float32 P is sgesdd (≈1e-6·σ₁ itself); the run uses gram in double")
    }

    /// Where the Swift end-to-end time goes (in this process, same build).
    func profile(into results: inout Results) throws {
        log("profile")
        for (name, seconds) in loadSeconds { results.single("6 profile", name, unit: "s", swift: seconds) }
        var options = AnalysisOptions()
        options.sequences = bench.sequences
        options.sequenceLength = bench.seqLen
        options.projection = nil
        let (analysis, initSeconds) = try timed {
            try Analysis(modelDirectory: URL(fileURLWithPath: bench.model), corpus: URL(fileURLWithPath: bench.corpus), options: options)
        }
        results.single("6 profile", "Analysis.init (all of the above for \(bench.sequences) windows)", unit: "s", swift: initSeconds)
        let (_, shaSeconds) = try timed { _ = try analysis.metadata() }
        results.single("6 profile", "metadata (SHA-256 of model.safetensors)", unit: "s", swift: shaSeconds)
        let forward = median(results.samples["forward_swift_s_threads1"] ?? [])
        let stage2 = median(results.samples["svd_stage_2workers_s"] ?? [])
        let stage1 = median(results.samples["svd_stage_1worker_s"] ?? [])
        results.single("6 profile", "forward, 1 thread, alone", unit: "s/seq", swift: forward)
        results.single("6 profile", "72 spectra (gram), 2 workers, alone", unit: "s/seq", swift: stage2)
        let hdf5 = try HDF5Bench.appendMilliseconds(path: "\(bench.work)/hdf5-append.h5", layers: 6, heads: 12, n: bench.seqLen,
                                                    sequences: bench.sequences)
        results.single("6 profile", "HDF5 append of σ [L,H,n] + flush", unit: "s/seq", swift: hdf5 / 1e3)
        let ideal = (forward + stage1) / 2
        results.single("6 profile", "ideal on 2 cores: (forward + 1-worker stage) / 2", unit: "s/seq", swift: ideal)

        var stamps: [Double] = []
        let (_, runSeconds) = try timed {
            try analysis.run(output: URL(fileURLWithPath: "\(bench.work)/profile.h5"), force: true, progress: { _ in stamps.append(now()) })
        }
        let intervals = zip(stamps.dropFirst(), stamps).map { $0 - $1 }
        let steady = median(intervals)
        let pyLoop = median(results.samples["e2e_python_loop_s"] ?? []) / Double(bench.sequences)
        results.single("6 profile", "Analysis.run in process, \(bench.sequences) seq (incl. SHA-256, HDF5 finish)", unit: "s", swift: runSeconds)
        results.compare("6 profile", "steady state per sequence vs Python loop (forward + svdvals)", unit: "s/seq",
                        swift: steady, python: pyLoop, higherIsBetter: false,
                        note: "Swift: median interval between completed sequences; Python: its loop time / \(bench.sequences) (no startup, load or tokenize)")
        results.samples["profile_intervals_s"] = intervals
    }
}
