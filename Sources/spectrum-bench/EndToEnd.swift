import Foundation
import SpectrumAnalysis

extension Session {
    /// argv of `spectrum-analyze run` on the first `sequences` windows.
    func analyzeRun(sequences: Int, output: String, projection: Bool, threads: Int) -> [String] {
        [analyzePath, "run", "--model", bench.model, "--corpus", bench.corpus, "--seq-len", "\(bench.sequenceLength)",
         "--sequences", "\(sequences)", "--threads", "\(threads)", "--output", output, "--force", "--quiet"]
            + (projection ? [] : ["--no-projection"])
    }

    /// 6 and 7. The real binary, whole process, on the peers' windows: `--no-projection` and the
    /// default job (rounds interleaved, so both see the same machine), once more spectrum-only on
    /// one thread; s/sequence, CPU utilisation, peak RSS; σ accuracy against double `dgesdd` of the
    /// toolkit's own P; then a longer run for peak RSS against the number of sequences.
    func endToEnd(into results: inout Results) throws {
        let S = bench.sequences, cores = ProcessInfo.processInfo.activeProcessorCount
        let spectrumPath = "\(bench.work)/e2e-spectrum-\(S).h5", defaultPath = "\(bench.work)/e2e-default-\(S).h5"
        var jobs = [("spectrum-only", false, spectrumPath)]
        if !bench.skipProjection { jobs.append(("default", true, defaultPath)) }
        var runs: [String: [ChildResult]] = [:]
        for round in 0..<bench.rounds {
            for (job, projection, path) in jobs {
                log("toolkit \(job), \(S) sequences, round \(round + 1)/\(bench.rounds) (load average \(loadAverage()))")
                runs[job, default: []].append(try ChildProcess.run(analyzeRun(sequences: S, output: path, projection: projection, threads: cores)))
            }
        }
        let accuracy = try toolkitAccuracy(runPath: spectrumPath)
        // The default job's σ carries the same error only when it is the same σ.
        let same = bench.skipProjection ? false : try sigmaOf(spectrumPath) == sigmaOf(defaultPath)
        for (job, _, _) in jobs {
            record(job: job, threads: cores, sequences: S, runs: runs[job] ?? [], error: job == "default" && !same ? nil : accuracy.error,
                   into: &results)
        }
        results.single("6 toolkit", "max |σ_run − σ_dgesdd| / σ₁ (toolkit's P, every head of \(S) windows)", unit: "",
                       swift: accuracy.error, target: "≤ 1e-6", met: accuracy.error <= 1e-6,
                       note: "dgesdd on double copies of the toolkit encoder's float32 P"
                           + (accuracy.crossCheck.map { "; vs dgesdd of torch's P (encoder difference included): \(format($0))" } ?? ""))
        if !bench.skipProjection {
            results.single("6 toolkit", "σ of the default job equal to --no-projection", unit: "", swift: nil, target: "bit-identical", met: same)
        }
        if cores > 1 && !bench.skipOneThread {
            log("toolkit spectrum-only, \(S) sequences, --threads 1")
            let single = try ChildProcess.run(analyzeRun(sequences: S, output: "\(bench.work)/e2e-spectrum-1thread-\(S).h5",
                                                          projection: false, threads: 1))
            record(job: "spectrum-only", threads: 1, sequences: S, runs: [single], error: nil, into: &results)
        }

        let projection = !bench.skipProjection, big = bench.rssSequences
        log("peak RSS, \(projection ? "default job" : "spectrum-only"), \(big) sequences")
        let large = try ChildProcess.run(analyzeRun(sequences: big, output: "\(bench.work)/e2e-rss-\(big).h5", projection: projection, threads: cores))
        let job = projection ? "default" : "spectrum-only"
        record(job: job, threads: cores, sequences: big, runs: [large], error: nil, into: &results)
        let small = (runs[job] ?? []).map { Double($0.maxRSSKiB) / 1024 }.max() ?? 0, largeMiB = Double(large.maxRSSKiB) / 1024
        let change = small > 0 ? abs(largeMiB - small) / small : 0
        results.single("7 memory", "peak RSS, \(job), \(S) sequences", unit: "MiB", swift: small, target: "< 1024", met: small < 1024)
        results.single("7 memory", "peak RSS, \(job), \(big) sequences", unit: "MiB", swift: largeMiB, target: "within 10% of \(S)",
                       met: change <= 0.10 && largeMiB < 1024,
                       note: "change \(format(change * 100))%; wait4 rusage of each child; \(big)-sequence run took \(format(large.wall)) s")
    }

    /// Adds the measurement and its table row for the runs of one job.
    private func record(job: String, threads: Int, sequences: Int, runs: [ChildResult], error: Double?, into results: inout Results) {
        guard !runs.isEmpty else { return }
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        let walls = runs.map(\.wall), utilisation = median(runs.map { $0.cpu / $0.wall / cores })
        let measurement = ToolkitMeasurement(
            job: job, threads: threads, sequences: sequences, secondsPerSequence: median(walls) / Double(sequences),
            cpuUtilisation: utilisation, peakRSSMiB: Double(runs.map(\.maxRSSKiB).max() ?? 0) / 1024, wallSamples: walls,
            maxRelativeError: error)
        results.toolkit.append(measurement)
        results.samples["toolkit_\(job)_threads\(threads)_\(sequences)seq_wall_s"] = walls
        results.samples["toolkit_\(job)_threads\(threads)_\(sequences)seq_cpu_s"] = runs.map(\.cpu)
        let flag = job == "default" ? "default job (projections on)" : "--no-projection"
        results.single("6 toolkit", "run \(flag), \(sequences) seq, --threads \(threads) (whole process)", unit: "s/seq",
                       swift: measurement.secondsPerSequence,
                       note: "wall \(walls.map(format).joined(separator: ", ")) s; CPU util \(percent(utilisation)) of \(Int(cores)) cores; "
                           + "peak RSS \(format(measurement.peakRSSMiB)) MiB")
    }

    /// `/spectrum/sigma` of a run file, `[S, L, H, n]` flattened.
    func sigmaOf(_ path: String) throws -> [Double] {
        try RunFile(contentsOf: URL(fileURLWithPath: path)).read("spectrum/sigma")
    }

    /// Largest |σ_run − σ_dgesdd| / σ₁ over every head of the run's windows, dgesdd on double copies of
    /// the toolkit's own P (its encoder is bit-identical for any thread count, so this P is the run's);
    /// and, when the peers wrote one this invocation, against dgesdd of torch's P.
    func toolkitAccuracy(runPath: String) throws -> (error: Double, crossCheck: Double?) {
        let S = bench.sequences, n = bench.sequenceLength, c = swift.encoder.configuration
        let heads = c.layerCount * c.headCount
        let sigma = try sigmaOf(runPath)
        guard sigma.count == S * heads * n else {
            throw BenchError.output(runPath, "spectrum/sigma holds \(sigma.count) values, expected \(S)×\(heads)×\(n)")
        }
        let worst = MaximumBox()
        let workers = ProcessInfo.processInfo.activeProcessorCount
        for w in 0..<S {
            log("accuracy: dgesdd of the toolkit's P, window \(w + 1)/\(S)")
            let ps = try swift.attention(ids: windows[w].inputIds)
            let next = Counter()
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                let solver = SingularValueSolver(maxRows: n, maxColumns: n, method: .gesdd)
                while let h = next.take(below: ps.count) {
                    do {
                        let reference = try ps[h].withUnsafeBufferPointer { try solver.singularValues(of: $0, rows: n, columns: n) }
                        let base = (w * heads + h) * n, top = max(reference[0], .leastNormalMagnitude)
                        worst.update((0..<n).map { abs(sigma[base + $0] - reference[$0]) / top }.max() ?? 0)
                    } catch {
                        worst.fail("window \(w), head \(h): \(error)")
                    }
                }
            }
        }
        if let failure = worst.failure { throw BenchError.output("dgesdd reference", failure) }
        var crossCheck: Double?
        if let data = try? Data(contentsOf: URL(fileURLWithPath: pythonReferencePath)), data.count == sigma.count * 8 {
            let python = data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
            var cross = 0.0
            for block in 0..<(S * heads) {
                let base = block * n, top = max(python[base], .leastNormalMagnitude)
                for i in 0..<n { cross = max(cross, abs(sigma[base + i] - python[base + i]) / top) }
            }
            crossCheck = cross
        }
        return (worst.value, crossCheck)
    }
}

/// A running maximum (and the first failure) shared by worker threads.
final class MaximumBox: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0.0
    private var firstFailure: String?

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    var value: Double { locked { current } }
    var failure: String? { locked { firstFailure } }
    func update(_ x: Double) { locked { current = max(current, x) } }
    func fail(_ message: String) { locked { if firstFailure == nil { firstFailure = message } } }
}
