import ArgumentParser
import Foundation
import SpectrumAnalysis

/// `spectrum-bench`: the speed targets measured side by side with the Python pipelines a user would
/// otherwise write, in one invocation: tokenizer, encoder forward, per-head SVD, the three Python
/// peers on the same windows, the LAPACK bound on the same real heads, the toolkit end to end
/// (spectrum only and the default job, whole process) with CPU utilisation and peak RSS, and a
/// profile of where the toolkit's time goes. Prints one table, a final summary with every ratio,
/// and writes a JSON file. Run through `make bench` (scripts/bench.sh), which builds in release and
/// provides the Python environment.
@main
struct SpectrumBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectrum-bench",
        abstract: "Benchmark the toolkit against the Python pipelines and the LAPACK bound; print one table.")

    @Option(help: "Model folder.")
    var model: String = ProcessInfo.processInfo.environment["SPECTRUM_MODEL_DIR"] ?? "notebooks-data/models/all-MiniLM-L6-v2"

    @Option(help: "Corpus (.txt or .txt.gz).")
    var corpus: String = ProcessInfo.processInfo.environment["SPECTRUM_CORPUS"] ?? "notebooks-data/corpora/jargon.txt.gz"

    @Option(help: "Python with torch, transformers, tokenizers, scipy, numpy.")
    var python: String = ProcessInfo.processInfo.environment["BENCH_PYTHON"] ?? "python3"

    @Option(help: "The release spectrum-analyze binary (default: next to this one).")
    var analyze: String?

    @Option(help: "Folder of the bench-*.py scripts.")
    var scripts: String = "scripts"

    @Option(help: "Scratch folder for run files and inputs.")
    var work: String = ".build/bench"

    @Option(help: "Where the JSON results go.")
    var output: String = ".build/bench/bench-results.json"

    @Option(help: "Repetitions of each side-by-side measurement (medians are reported).")
    var rounds: Int = 3

    @Option(help: "Sequences of the peers, the end-to-end runs and the accuracy checks (the same windows).")
    var sequences: Int = 8

    @Option(help: "Sequences of the second peak-RSS run.")
    var rssSequences: Int = 64

    @Option(help: "Windows whose heads the LAPACK bound is timed on (each --rounds times).")
    var boundSequences: Int = 2

    @Option(name: .customLong("seq-len"), help: "Sequence length n.")
    var sequenceLength: Int = 512

    @Option(parsing: .upToNextOption, help: "Extra key=value lines for the machine header (versions).")
    var info: [String] = []

    static let allSections = ["tokenizer", "forward", "decoder-forward", "svd", "peers", "bound", "e2e", "profile"]

    @Option(parsing: .upToNextOption,
            help: "Sections to run: \(allSections.joined(separator: " ")) (default: all). e2e ratios use peers and bound when they ran.")
    var sections: [String] = allSections

    @Flag(help: "Skip the default job (projections on) in e2e; the peak-RSS run is then spectrum-only.")
    var skipProjection = false

    @Flag(help: "Skip the 1-thread Python peers and the 1-thread toolkit run.")
    var skipOneThread = false

    func validate() throws {
        guard rounds >= 1, sequences >= 1, rssSequences >= 1, boundSequences >= 1 else { throw ValidationError("--rounds and --*sequences must be ≥ 1") }
        guard sequenceLength >= 4 else { throw ValidationError("--seq-len must be at least 4") }
        let unknown = sections.filter { !Self.allSections.contains($0) }
        guard unknown.isEmpty else { throw ValidationError("unknown section(s) \(unknown.joined(separator: ", ")); choose from \(Self.allSections.joined(separator: " "))") }
    }

    func run() throws {
        BLAS.setThreadCount(1)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        var results = Results()
        results.machine = machineInfo()
        results.machine["sequences"] = "\(sequences)"
        for pair in info {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { results.machine[parts[0]] = parts[1] }
        }
        let session = try Session(bench: self)
        log("machine: \(results.machine["cpu"] ?? "?"), \(results.machine["nproc"] ?? "?") cores")
        if sections.contains("tokenizer") { try session.tokenizer(into: &results) }
        if sections.contains("forward") { try session.forward(into: &results) }
        if sections.contains("decoder-forward") { try session.decoderForward(into: &results) }
        if sections.contains("svd") { try session.svd(into: &results) }
        if sections.contains("peers") { try session.peers(into: &results) }
        if sections.contains("bound") { try session.bound(into: &results) }
        if sections.contains("e2e") { try session.endToEnd(into: &results) }
        if sections.contains("profile") { try session.profile(into: &results) }
        results.computeRatios()
        print(results.table())
        print("")
        print(results.summaryTable())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // A degenerate measurement must not lose the whole run's JSON.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(results).write(to: URL(fileURLWithPath: output))
        print("\nwrote \(output)")
    }

    /// nproc, CPU model, kernel, load average at start.
    func machineInfo() -> [String: String] {
        var info: [String: String] = ["nproc": "\(ProcessInfo.processInfo.activeProcessorCount)",
                                      "model": URL(fileURLWithPath: model).lastPathComponent, "n": "\(sequenceLength)"]
        if let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            // The first processor's fields; family/model/stepping identify the core when the name is generic.
            func field(_ name: String) -> String? {
                cpu.split(separator: "\n").first { $0.hasPrefix(name) && $0.dropFirst(name.count).first(where: { $0 != " " && $0 != "\t" }) == ":" }
                    .flatMap { $0.split(separator: ":", maxSplits: 1).last }
                    .map { $0.trimmingCharacters(in: .whitespaces) }
            }
            let identity = [("family", field("cpu family")), ("model", field("model")), ("stepping", field("stepping"))]
                .compactMap { key, value in value.map { "\(key) \($0)" } }.joined(separator: ", ")
            info["cpu"] = (field("model name") ?? "unknown CPU") + (identity.isEmpty ? "" : " (\(identity))")
        }
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
            info["load average at start"] = load.split(separator: " ").prefix(3).joined(separator: " ")
        }
        info["kernel"] = ProcessInfo.processInfo.operatingSystemVersionString
        info["OPENBLAS_NUM_THREADS"] = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "unset"
        return info
    }
}

/// The 1-minute load average now (other processes competing for the cores).
func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).map { $0.split(separator: " ").prefix(1).joined() } ?? "?"
}

/// Progress on stderr, so stdout holds only the table.
func log(_ message: String) {
    FileHandle.standardError.write(Data("[bench] \(message)\n".utf8))
}
