import ArgumentParser
import Foundation
import SpectrumAnalysis

/// `spectrum-analyze run`: the whole pipeline into one run file.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tokenize, run the model, compute every head's spectrum and projection checks, write the run file.")

    @OptionGroup var input: InputOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var attention: AttentionDumpOptions
    @OptionGroup var dump: DumpOptions
    @OptionGroup var projection: ProjectionArguments

    @Option(help: "k of the mean c_k column of the summary table (default: n/4, the paper's k = 128 at n = 512).")
    var summaryK: Int?

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    func validate() throws {
        if let summaryK, summaryK < 1 { throw ValidationError("--summary-k must be at least 1") }
        if !projection.noProjection, projection.parsedDims.allSatisfy({ $0 >= input.sequenceLength }) {
            throw ValidationError("every --projection-dims value (\(projection.projectionDims)) is at least n = \(input.sequenceLength), so no projection would be checked; give values below n or pass --no-projection")
        }
    }

    func run() throws {
        var options = input.analysisOptions
        options.seed = compute.seed
        options.dumpAttention = attention.dumpAttention.limit
        options.dumpQKV = attention.dumpQkv
        options.attentionStorage = dump.attentionDtype
        options.compression = dump.compression
        options.projection = projection.options
        options.holdout = projection.holdout
        try execute(input: input, options: options, output: output, summaryK: summaryK ?? max(1, input.sequenceLength / 4), json: json)
    }
}

/// `spectrum-analyze extract`: only the attention dump, for every sequence.
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write P of every sequence to HDF5 (the extractor stage alone; add spectra later with `svd`).")

    @OptionGroup var input: InputOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var dump: DumpOptions

    @Flag(help: "Dump per-head Q, K, V beside P.")
    var dumpQkv = false

    func run() throws {
        var options = input.analysisOptions
        options.dumpAttention = nil
        options.dumpQKV = dumpQkv
        options.attentionStorage = dump.attentionDtype
        options.compression = dump.compression
        options.projection = nil
        options.computeSpectra = false
        try execute(input: input, options: options, output: output, summaryK: nil, json: false)
    }
}

extension InputOptions {
    var analysisOptions: AnalysisOptions {
        var options = AnalysisOptions()
        options.sequenceLength = sequenceLength
        options.sequences = sequences.limit
        options.shard = shard
        options.threads = threads
        options.textField = textField
        options.randomInitSeed = randomInit
        return options
    }
}

/// Runs an analysis with progress, Ctrl-C handling and the final summary.
func execute(input: InputOptions, options: AnalysisOptions, output: OutputOptions, summaryK: Int?, json: Bool) throws {
    let printer = ProgressPrinter(quiet: output.quiet)
    let target = RunOutput(URL(fileURLWithPath: output.output))
    // A second Ctrl-C aborts at once; the journal keeps every committed sequence for --resume.
    let interrupt = InterruptFlag(abortMessage: "aborted: the sequences committed so far are safe in \(target.partialURL.path); resume with the same command plus --resume.")
    let result: RunFile
    do {
        // Refuse an output that cannot be written before minutes of loading and computing.
        if output.resume {
            guard FileManager.default.fileExists(atPath: target.partialURL.path) else {
                let done = FileManager.default.fileExists(atPath: target.url.path)
                throw AnalysisError.runFile(path: target.partialURL.path, reason: done
                    ? "does not exist: \(output.output) is already complete (pass --force instead of --resume to recompute it)"
                    : "does not exist: there is no interrupted run to resume")
            }
        } else {
            try target.check(force: output.force, resumable: true)
        }
        let model = try ModelLocator().locate(input.model, revision: input.revision)
        if let id = model.hubID { printer.note("\(id): snapshot \(model.directory.path)") }
        printer.note("loading \(model.directory.path) and \(input.corpus)")
        let analysis = try Analysis(modelDirectory: model.directory,
                                    corpus: URL(fileURLWithPath: input.corpus), options: options)
        printer.note("\(analysis.windows.count) sequences of \(options.sequenceLength) tokens (shard \(options.shard) of \(analysis.totalWindows) windows)")
        var announced = false
        result = try analysis.run(output: URL(fileURLWithPath: output.output), force: output.force, resume: output.resume,
                                  progress: { progress in
                                      if !announced, progress.resumedFrom > 0 {
                                          printer.note("resuming at \(progress.resumedFrom)/\(progress.total) (\(progress.resumedFrom) sequences were already done)")
                                      }
                                      announced = true
                                      printer.update(progress)
                                  }, shouldStop: interrupt.isSet)
        printer.finish()
    } catch AnalysisError.interrupted(let partial, let completed) {
        printer.finish()
        FileHandle.standardError.write(Data("""
            interrupted: \(completed) sequences are safe in \(partial).
            Resume with the same command plus --resume.\n
            """.utf8))
        throw ExitCode(130)
    } catch {
        printer.finish()
        throw fail(error)
    }
    printer.note("wrote \(output.output)")
    guard let summaryK else { return }
    try printSummary(of: result, k: summaryK, json: json)
}

/// Prints the per-layer table (or its JSON) of a finished run file on stdout.
func printSummary(of result: RunFile, k: Int, json: Bool) throws {
    do {
        let summary = try result.summary(k: k)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.formattedTable(), terminator: "")
        }
    } catch {
        throw fail(error)
    }
}
