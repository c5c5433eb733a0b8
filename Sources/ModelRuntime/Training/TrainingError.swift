import ModelCompiler

/// Why training or evaluation stopped: the model, the data, the labels, a metric, or the
/// numbers themselves. Every case names what it concerns.
public enum TrainingError: Error, Sendable, CustomStringConvertible {
    case runtime(RuntimeError)
    case data(DataError)
    /// The labels of `array` in `file` cannot be encoded; `location` is the CSV line and
    /// column of the bad label, when the labels came from a CSV file.
    case encoding(EncodingError, file: String, array: String, location: String?)
    case metric(MetricError)
    /// The data lacks an array the model needs (a graph input or a head target).
    case missingArray(name: String, file: String, available: [String], role: String)
    /// An array does not fit the model (element type or per-sample shape).
    case arrayShape(name: String, file: String, reason: String)
    /// The training loss became NaN or infinite; `tensor` names the first value of the graph
    /// (in execution order) that held a NaN or infinity on that batch, and its node.
    case nonFiniteLoss(epoch: Int, step: Int, loss: Float, tensor: String)
    /// A checkpoint could not be written or read back.
    case checkpoint(path: String, reason: String)
    /// Settings that cannot train (batch size 0, a validation split that leaves nothing).
    case configuration(field: String, reason: String)

    public var code: String {
        switch self {
        case .runtime(let error): error.code
        case .data(let error): error.code
        case .encoding(let error, _, _, _): error.code
        case .metric(let error): error.code
        case .missingArray: "train.missing-array"
        case .arrayShape: "train.array-shape"
        case .nonFiniteLoss: "train.non-finite-loss"
        case .checkpoint: "train.checkpoint"
        case .configuration: "train.configuration"
        }
    }

    public var description: String {
        switch self {
        case .runtime(let error): error.description
        case .data(let error): error.description
        case .encoding(let error, let file, let array, let location):
            "\(file): array '\(array)'\(location.map { " (\($0))" } ?? ""): \(error.description)"
        case .metric(let error): error.description
        case .missingArray(let name, let file, let available, let role):
            "\(file): no array '\(name)' (\(role)); the file holds \(available.sorted().joined(separator: ", "))"
        case .arrayShape(let name, let file, let reason): "\(file): array '\(name)': \(reason)"
        case .nonFiniteLoss(let epoch, let step, let loss, let tensor):
            "the training loss became \(loss) at step \(step) (epoch \(epoch)); the first non-finite value is "
                + "\(tensor); the step's update was skipped, so the weights are those of the last finite step; lower the "
                + "learning rate, set training.gradient_clip_norm, or check the data for extreme values"
        case .checkpoint(let path, let reason): "checkpoint \(path): \(reason)"
        case .configuration(let field, let reason): "\(field): \(reason)"
        }
    }
}
