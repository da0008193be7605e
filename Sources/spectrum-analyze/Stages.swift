import ArgumentParser
import Foundation
import SpectrumAnalysis

/// `spectrum-analyze svd`: add spectra to a file written by `extract`.
struct SVD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "svd",
        abstract: "Read the attention an `extract` file holds and add the spectra, and the projection checks when it holds Q, K, V (the SVD stage alone).")

    @Argument(help: "Run file written by `extract`.")
    var input: String

    @Option(name: .shortAndLong, help: "Where to write the result (default: replace the input once done).")
    var output: String?

    @Flag(help: "Replace an existing output run file (never a folder or another kind of file).")
    var force = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    @Option(help: ArgumentHelp("Worker threads for the per-head spectra (results do not depend on it).", valueName: "n"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "k of the mean c_k column of the summary table (default: n/4, the paper's k = 128 at n = 512).")
    var summaryK: Int?

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    @OptionGroup var projection: ProjectionArguments

    @Option(help: "Seed of every random draw (projection matrices).")
    var seed: UInt64 = 0

    func validate() throws {
        guard threads >= 1 && threads <= 1024 else { throw ValidationError("--threads must be between 1 and 1024") }
        if let summaryK, summaryK < 1 { throw ValidationError("--summary-k must be at least 1") }
    }

    func run() throws {
        let printer = ProgressPrinter(quiet: quiet)
        let result: RunFile
        do {
            // The input comes from elsewhere: libhdf5 reads it in a child process first.
            let url = URL(fileURLWithPath: input)
            try RunFileCheck.validate(url)
            // The projection checks need Q, K, V: on by default when the file holds them.
            var options = projection.options
            if options != nil, !(try RunFile(contentsOf: url).metadata.dumpQKV) {
                printer.note("\(input) holds no Q, K, V (extract with --dump-qkv): spectra only, no projection checks")
                options = nil
            }
            result = try SpectrumStage(input: url, threads: threads, projection: options, seed: seed)
                .run(output: URL(fileURLWithPath: output ?? input), force: force, progress: printer.update)
            printer.finish()
            printer.note("wrote \(output ?? input)")
        } catch {
            printer.finish()
            throw fail(error)
        }
        try printSummary(of: result, k: summaryK ?? max(1, result.metadata.sequenceLength / 4), json: json)
    }
}

/// `spectrum-analyze merge`: combine shard files.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Combine the shard files of one run into a single run file.")

    @Argument(help: "Shard files (written with --shard i/N).")
    var shards: [String]

    @Option(name: .shortAndLong, help: "Merged run file to write.")
    var output: String

    @Flag(help: "Replace an existing output run file (never a folder or another kind of file).")
    var force = false

    @Flag(help: "Merge even when shards are missing; the file is marked partial and the report says so.")
    var allowPartial = false

    @Option(help: "Also fit the fixed projection from the summed Gram sums (as `fit` does): the model the shards used.")
    var model: String?

    @Option(help: "Branch, tag or commit of a hub-cache --model (default: main).")
    var revision: String?

    @Option(help: ArgumentHelp("Heads evaluated at a time by the fit (results do not depend on it).", valueName: "n"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress of the fit on stderr.")
    var quiet = false

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("give at least one shard file") }
        guard threads >= 1 && threads <= 1024 else { throw ValidationError("--threads must be between 1 and 1024") }
    }

    func run() throws {
        do {
            for shard in shards { try RunFileCheck.validate(URL(fileURLWithPath: shard)) }
            // The output and the model are checked before the shards are read.
            try RunOutput(URL(fileURLWithPath: output)).check(force: force)
            let modelDirectory = try model.map { try ModelLocator().locate($0, revision: revision).directory }
            let merged = try RunMerge(shards: shards.map { URL(fileURLWithPath: $0) }, allowPartial: allowPartial)
                .run(output: URL(fileURLWithPath: output), force: force)
            let missing = merged.metadata.missingShards
            let note = missing.isEmpty ? "" : " (partial: shards \(missing.map { "\($0)/\(merged.metadata.mergedShardCount)" }.joined(separator: ", ")) missing)"
            FileHandle.standardError.write(Data("merged \(shards.count) shards, \(merged.sequenceCount) sequences, into \(output)\(note)\n".utf8))
            guard merged.metadata.fitPending else {
                if model != nil { FileHandle.standardError.write(Data("--model: nothing to fit (the shards have no fitted projection)\n".utf8)) }
                return
            }
            if let modelDirectory {
                try Fit.fit(merged.url, output: merged.url, modelDirectory: modelDirectory, force: true, threads: threads, quiet: quiet)
            } else {
                FileHandle.standardError.write(Data("the fitted projection is pending: \(output) holds the summed Gram sums; finish it with `spectrum-analyze fit \(output) --model M` (M: the shards' model)\n".utf8))
            }
        } catch {
            throw fail(error)
        }
    }
}
