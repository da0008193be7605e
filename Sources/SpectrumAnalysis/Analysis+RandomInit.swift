import Foundation
import Transformer

extension Analysis {
    /// The untrained control: a model of the checkpoint's architecture whose weights are drawn
    /// by ``RandomInitialization`` from `seed`. The weights go through a temporary model folder so
    /// they load by the normal path; the folder is removed once the model holds its copy.
    static func randomModel(like modelDirectory: URL, seed: UInt64) throws(AnalysisError) -> TransformerModel {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spectrum-random-init-\(seed)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        return try withStage("random-init model like \(modelDirectory.path)") {
            try RandomInitialization.writeModel(like: modelDirectory, seed: seed, into: folder)
            return try TransformerModel(directory: folder)
        }
    }
}
