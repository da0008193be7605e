import Foundation

extension RunMetadata {
    /// A readable name for the run's model: `ORG/NAME` when ``modelPath`` is a Hugging Face hub-cache
    /// snapshot (`…/models--ORG--NAME/snapshots/<commit>`, as `--model ORG/NAME` resolves it), else the
    /// model folder's last path component.
    public var modelName: String {
        let components = URL(fileURLWithPath: modelPath).standardizedFileURL.pathComponents
        if components.count >= 3, components[components.count - 2] == "snapshots" {
            let folder = components[components.count - 3]
            if folder.hasPrefix("models--") {
                let id = folder.dropFirst("models--".count).replacingOccurrences(of: "--", with: "/")
                if !id.isEmpty, !id.hasPrefix("/"), !id.hasSuffix("/") { return id }
            }
        }
        return URL(fileURLWithPath: modelPath).lastPathComponent
    }
}
