import ArgumentParser
import Foundation
import SpectrumAnalysis

/// `spectrum-analyze run`: the whole pipeline into one run file.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tokenize, run the encoder, compute every head's spectrum and projection checks, write the run file.")

    @OptionGroup var input: InputOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var dump: DumpOptions
    @OptionGroup var projection: ProjectionArguments

    @Option(help: "k of the mean c_k column of the summary table.")
    var summaryK: Int = 128

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    func validate() throws {
        guard summaryK >= 1 else { throw ValidationError("--summary-k must be at least 1") }
    }

    func run() throws {
        var options = input.analysisOptions
        options.dumpAttention = dump.dumpAttention.limit
        options.dumpQKV = dump.dumpQkv
        options.attentionStorage = dump.attentionDtype
        options.compression = dump.compression
        options.projection = projection.options
        try execute(input: input, options: options, output: output, summaryK: summaryK, json: json)
    }
}

/// `spectrum-analyze extract`: only the attention dump, for every sequence.
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write P of every sequence to HDF5 (the extractor stage alone; add spectra later with `svd`).")

    @OptionGroup var input: InputOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var dump: DumpOptions

    func run() throws {
        var options = input.analysisOptions
        options.dumpAttention = nil
        options.dumpQKV = dump.dumpQkv
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
        options.sequenceLength = seqLen
        options.sequences = sequences.limit
        options.shard = shard
        options.seed = seed
        options.threads = threads
        options.textField = textField
        return options
    }
}

/// Runs an analysis with progress, Ctrl-C handling and the final summary.
func execute(input: InputOptions, options: AnalysisOptions, output: OutputOptions, summaryK: Int?, json: Bool) throws {
    let printer = ProgressPrinter(quiet: output.quiet)
    let interrupt = InterruptFlag()
    let result: RunFile
    do {
        let model = try ModelLocator().locate(input.model, revision: input.revision)
        if let id = model.hubID { printer.note("\(id): snapshot \(model.directory.path)") }
        printer.note("loading \(model.directory.path) and \(input.corpus)")
        let analysis = try Analysis(modelDirectory: model.directory,
                                    corpus: URL(fileURLWithPath: input.corpus), options: options)
        printer.note("\(analysis.windows.count) sequences of \(options.sequenceLength) tokens (shard \(options.shard) of \(analysis.totalWindows) windows)")
        result = try analysis.run(output: URL(fileURLWithPath: output.output), force: output.force, resume: output.resume,
                                  progress: printer.update, shouldStop: interrupt.isSet)
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
    do {
        let summary = try result.summary(k: summaryK)
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
