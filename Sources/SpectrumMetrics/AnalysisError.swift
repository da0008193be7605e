/// Everything that can go wrong in an analysis, each case naming the file or object and the problem.
///
/// Errors from the layers below (HDF5, LAPACK, tokenizer, encoder) are wrapped with the context in
/// which they happened, so the message a user sees says which file and which stage failed.
public enum AnalysisError: Error, CustomStringConvertible, Sendable {
    /// A corpus could not be read or decoded.
    case corpus(path: String, reason: String)
    /// The corpus holds too few tokens for one window of `needed` ids.
    case corpusTooShort(path: String, tokens: Int, needed: Int)
    /// An option value that cannot work with this model or corpus.
    case invalidOption(String)
    /// A run file that is missing, of another format or version, or inconsistent.
    case runFile(path: String, reason: String)
    /// A run file from elsewhere on which libhdf5 crashed or hung (checked in a child process).
    case corruptRunFile(path: String, reason: String)
    /// Shard files that do not belong to the same run.
    case incompatibleShards(String)
    /// NaN or ±Inf appeared in a computed quantity.
    case numeric(String)
    /// The output already exists and replacing it (`force`) was not asked for.
    case outputExists(path: String)
    /// A stage below failed; `stage` says which, `underlying` carries its own message.
    case stage(String, underlying: String)
    /// The run was interrupted (Ctrl-C); the partial file can be resumed.
    case interrupted(partialPath: String, completed: Int)

    /// The message for a library caller: settings named by their Swift parameters.
    public var description: String { Remedy.render(template, \.parameter) }

    /// The message for a command-line user: settings named by their flags.
    public var commandLineDescription: String { Remedy.render(template, \.flag) }

    /// The message with ``Remedy/marker`` placeholders.
    private var template: String {
        switch self {
        case .corpus(let path, let reason): return "corpus \(path): \(reason)"
        case .corpusTooShort(let path, let tokens, let needed):
            return "corpus \(path): has \(tokens) tokens, one window needs \(needed)"
        case .invalidOption(let message): return message
        case .runFile(let path, let reason): return "run file \(path): \(reason)"
        case .corruptRunFile(let path, let reason): return "corrupt run file \(path): \(reason)"
        case .incompatibleShards(let message): return "cannot merge: \(message)"
        case .numeric(let message): return "numeric trouble: \(message)"
        case .outputExists(let path):
            return "\(path) already exists; pass \(Remedy.force.marker) to replace it"
        case .stage(let stage, let underlying): return "\(stage): \(underlying)"
        case .interrupted(let partialPath, let completed):
            return "interrupted after \(completed) sequences; partial results are in \(partialPath)"
        }
    }
}

/// Runs `body`, wrapping any error that is not already an ``AnalysisError`` as a `.stage` error.
@inline(__always)
package func withStage<T>(_ stage: String, _ body: () throws -> T) throws(AnalysisError) -> T {
    do {
        return try body()
    } catch let error as AnalysisError {
        throw error
    } catch {
        throw .stage(stage, underlying: String(describing: error))
    }
}
