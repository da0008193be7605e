import Foundation

/// A setting that resolves a refused operation, named in an error message.
///
/// Library errors must speak of the library's parameters, the command-line tools of their flags.
/// A message embeds a setting as ``marker``; ``AnalysisError/description`` renders it by its Swift
/// parameter name and ``AnalysisError/commandLineDescription`` by its flag.
public enum Remedy: String, Sendable, CaseIterable {
    case force, resume, allowPartial, holdout, energy, error, sequenceLengths, outputDirectory, noProjection, dumpQKV, model, fit

    /// The placeholder a message carries for this setting.
    public var marker: String { "\u{E000}\(rawValue)\u{E001}" }

    /// How a library caller sets it.
    public var parameter: String {
        switch self {
        case .force: return "`force: true`"
        case .resume: return "`resume: true`"
        case .allowPartial: return "`allowPartial: true`"
        case .holdout: return "`AnalysisOptions.holdout`"
        case .energy: return "`energy`"
        case .error: return "`error`"
        case .sequenceLengths: return "`sequenceLengths`"
        case .outputDirectory: return "`outputDirectory`"
        case .noProjection: return "`projection: nil`"
        case .dumpQKV: return "`AnalysisOptions.dumpQKV = true`"
        case .model: return "`modelDirectory`"
        case .fit: return "`FitStage(input:modelDirectory:)`"
        }
    }

    /// How a command-line user sets it.
    public var flag: String {
        switch self {
        case .force: return "--force"
        case .resume: return "--resume"
        case .allowPartial: return "--allow-partial"
        case .holdout: return "--holdout"
        case .energy: return "--energy"
        case .error: return "--error"
        case .sequenceLengths: return "--seq-lens"
        case .outputDirectory: return "--output-dir"
        case .noProjection: return "--no-projection"
        case .dumpQKV: return "--dump-qkv"
        case .model: return "--model"
        case .fit: return "`spectrum-analyze fit FILE --model M` (or `merge … --model M`)"
        }
    }

    /// `text` with every marker replaced by `name(remedy)`.
    static func render(_ text: String, _ name: (Remedy) -> String) -> String {
        guard text.contains("\u{E000}") else { return text }
        var result = text
        for remedy in allCases { result = result.replacingOccurrences(of: remedy.marker, with: name(remedy)) }
        return result
    }
}
