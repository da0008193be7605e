/// Failures of the Transformer module. Every case names the file or tensor it is about, so a
/// message alone tells the user which input to fix.
public enum TransformerError: Error, Equatable, CustomStringConvertible {
    /// A file could not be opened, inspected or mapped; `reason` is the system's message.
    case cannotRead(file: String, reason: String)
    /// A safetensors file is shorter than its header says, or than the 8-byte length prefix.
    case truncatedFile(file: String, detail: String)
    /// A safetensors header is not valid (length, JSON syntax, entry layout, offsets, sizes).
    case malformedHeader(file: String, detail: String)
    /// A tensor's `dtype` string is not one of the safetensors dtypes.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// The tensor's dtype is known but cannot be converted to `Float`.
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// The requested tensor is not in the file (`expectedShape` is empty when the caller had none).
    case missingTensor(file: String, tensor: String, expectedShape: [Int])
    /// The tensor exists but its shape disagrees with the configuration.
    case shapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])
    /// Two checkpoint keys normalize to the same tensor name (e.g. `bert.x` and `x`).
    case duplicateTensor(file: String, tensor: String)
    /// `config.json` is unreadable JSON, lacks a required field, or holds an impossible value.
    case invalidConfiguration(file: String, detail: String)
    /// `model_type` is not an architecture this encoder implements.
    case unsupportedModelType(file: String, modelType: String)
    /// `hidden_act` names an activation this encoder does not implement.
    case unsupportedActivation(file: String, activation: String)
    /// `position_embedding_type` other than `absolute`.
    case unsupportedPositionEmbedding(file: String, type: String)
    /// `rope_type` (or legacy `rope_scaling.type`) names a rotary scaling this toolkit does not implement.
    case unsupportedRopeType(file: String, type: String)
    /// `model.safetensors.index.json` names a shard file that is not in the folder.
    case missingShard(index: String, shard: String)
    /// `model.safetensors.index.json` is not a valid index, or names a tensor its shard does not hold.
    case invalidShardIndex(file: String, detail: String)
    /// A tensor's dtype differs from the one `config.json` (`dtype` / `torch_dtype`) declares.
    case dtypeMismatch(file: String, tensor: String, declared: String, found: String)
    /// The input sequence does not fit the model.
    case invalidInput(String)

    public var description: String {
        switch self {
        case .cannotRead(let file, let reason):
            return "\(file): cannot read: \(reason)"
        case .truncatedFile(let file, let detail):
            return "\(file): truncated safetensors file: \(detail)"
        case .malformedHeader(let file, let detail):
            return "\(file): malformed safetensors header: \(detail)"
        case .unknownDType(let file, let tensor, let dtype):
            return "\(file): tensor '\(tensor)' has unknown dtype '\(dtype)'"
        case .unsupportedDType(let file, let tensor, let dtype):
            return "\(file): tensor '\(tensor)' has dtype \(dtype), which cannot be read as Float (F32, F16, BF16, F64 can)"
        case .missingTensor(let file, let tensor, let expectedShape):
            let shape = expectedShape.isEmpty ? "" : " (expected shape \(expectedShape))"
            return "\(file): missing tensor '\(tensor)'\(shape)"
        case .shapeMismatch(let file, let tensor, let expected, let found):
            return "\(file): tensor '\(tensor)' has shape \(found), expected \(expected)"
        case .duplicateTensor(let file, let tensor):
            return "\(file): tensor '\(tensor)' appears more than once after removing the 'bert.'/'roberta.' prefix"
        case .invalidConfiguration(let file, let detail):
            return "\(file): invalid model configuration: \(detail)"
        case .unsupportedModelType(let file, let modelType):
            return "\(file): unsupported model_type '\(modelType)' (supported: \(ModelType.supportedList))"
        case .unsupportedActivation(let file, let activation):
            return "\(file): unsupported hidden_act '\(activation)' (supported: \(Activation.supportedList))"
        case .unsupportedPositionEmbedding(let file, let type):
            return "\(file): unsupported position_embedding_type '\(type)' (supported: absolute)"
        case .unsupportedRopeType(let file, let type):
            return "\(file): unsupported rope type '\(type)' (supported: \(RotaryEmbedding.supportedTypes.joined(separator: ", ")))"
        case .missingShard(let index, let shard):
            return "\(index): names shard '\(shard)', which is not in the model folder"
        case .invalidShardIndex(let file, let detail):
            return "\(file): invalid safetensors index: \(detail)"
        case .dtypeMismatch(let file, let tensor, let declared, let found):
            return "\(file): tensor '\(tensor)' has dtype \(found), but config.json declares \(declared)"
        case .invalidInput(let detail):
            return "invalid model input: \(detail)"
        }
    }
}
