import ArgumentParser
import Foundation
import SpectrumAnalysis

/// `spectrum-analyze svd`: add spectra to a file written by `extract`.
struct SVD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "svd",
        abstract: "Read /attention/P from a run file and add the spectra (the SVD stage alone).")

    @Argument(help: "Run file written by `extract`.")
    var input: String

    @Option(name: .shortAndLong, help: "Where to write the result (default: replace the input once done).")
    var output: String?

    @Flag(help: "Replace an existing output run file (never a folder or another kind of file).")
    var force = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func run() throws {
        let printer = ProgressPrinter(quiet: quiet)
        do {
            // The input comes from elsewhere: libhdf5 reads it in a child process first.
            try RunFileCheck.validate(URL(fileURLWithPath: input))
            try SpectrumStage.addSpectra(input: URL(fileURLWithPath: input), output: URL(fileURLWithPath: output ?? input),
                                         force: force, progress: printer.update)
            printer.finish()
            printer.note("wrote \(output ?? input)")
        } catch {
            printer.finish()
            throw fail(error)
        }
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

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("give at least one shard file") }
    }

    func run() throws {
        do {
            for shard in shards { try RunFileCheck.validate(URL(fileURLWithPath: shard)) }
            let merged = try RunMerge.merge(shards.map { URL(fileURLWithPath: $0) }, into: URL(fileURLWithPath: output),
                                            force: force, allowPartial: allowPartial)
            let missing = merged.metadata.missingShards
            let note = missing.isEmpty ? "" : " (partial: shards \(missing.map { "\($0)/\(merged.metadata.mergedShardCount)" }.joined(separator: ", ")) missing)"
            FileHandle.standardError.write(Data("merged \(shards.count) shards, \(merged.sequenceCount) sequences, into \(output)\(note)\n".utf8))
        } catch {
            throw fail(error)
        }
    }
}
