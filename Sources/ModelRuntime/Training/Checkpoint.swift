import Foundation
import ModelFormat

/// A training checkpoint in a folder:
/// - `state.npz`: everything a resumed run needs — the weights, the optimiser state, the step
///   count, the epochs done and the early-stopping record — in one file written atomically
///   (temporary file + rename), so a kill leaves either the previous checkpoint or this one;
/// - `checkpoint.model`: the model with the same weights, written first, for people and tools
///   (`modelrun infer` / `eval`); resuming never reads it.
///
/// The trainer writes an epoch-0 checkpoint before its first step, so from then on the folder
/// always holds a complete state; a resume that finds no `state.npz` (killed before even that)
/// starts from scratch with a notice. Temporary files of writes killed before their rename are
/// removed when a trainer opens the folder.
enum Checkpoint {
    static let stateFile = "state.npz"
    static let modelFile = "checkpoint.model"

    /// Removes what killed writes left in `directory`; returns the removed paths.
    @discardableResult
    static func removeStaleTemporaries(in directory: URL) -> [String] {
        [stateFile, modelFile].flatMap { AtomicFile.removeStaleTemporaries(for: directory.appendingPathComponent($0)) }
    }

    /// Whether `directory` holds a state to resume from.
    static func hasState(in directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(stateFile).path)
    }

    /// The early-stopping record carried across a resume.
    struct Progress: Equatable {
        var epoch: Int
        var best: Double?
        var epochsWithoutImprovement: Int
    }

    static func write(_ session: TrainingSession, progress: Progress, to directory: URL) throws(TrainingError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .checkpoint(path: directory.path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        let modelURL = directory.appendingPathComponent(modelFile)
        do {
            try session.model.write(to: modelURL)
        } catch {
            throw .checkpoint(path: modelURL.path, reason: "\(error)")
        }
        var state: [String: Tensor] = [:]
        for name in session.store.names { state[name] = session.store.tensor(name) }
        state["__step"] = Tensor(shape: [1], int64s: [Int64(session.stepCount)])
        state["__epoch"] = Tensor(shape: [1], int64s: [Int64(progress.epoch)])
        state["__stale_epochs"] = Tensor(shape: [1], int64s: [Int64(progress.epochsWithoutImprovement)])
        // The bit pattern of the Double, so a resumed run compares scores exactly as before.
        if let best = progress.best {
            state["__best"] = Tensor(shape: [1], int64s: [Int64(bitPattern: best.bitPattern)])
        }
        let stateURL = directory.appendingPathComponent(stateFile)
        do {
            try NPZ.write(state, to: stateURL)
        } catch {
            throw .checkpoint(path: stateURL.path, reason: error.description)
        }
    }

    /// Loads weights and optimiser state into `session`; returns the progress recorded.
    static func restore(from directory: URL, into session: TrainingSession) throws(TrainingError) -> Progress {
        let stateURL = directory.appendingPathComponent(stateFile)
        let state: [String: Tensor]
        do {
            state = try NPZ.read(stateURL)
        } catch {
            throw .checkpoint(path: stateURL.path, reason: error.description)
        }
        guard let epoch = state["__epoch"]?.int64s.first, let step = state["__step"]?.int64s.first else {
            throw .checkpoint(path: stateURL.path, reason: "no __epoch and __step arrays: not a training checkpoint")
        }
        for name in session.store.names {
            guard let tensor = state[name] else {
                throw .checkpoint(
                    path: stateURL.path, reason: "no array for '\(name)': the checkpoint is of another model")
            }
            guard session.store.assign(name, tensor) else {
                throw .checkpoint(
                    path: stateURL.path,
                    reason: "'\(name)' is \(tensor.shape) \(tensor.elementType), which does not match the model")
            }
        }
        session.stepCount = Int(step)
        return Progress(
            epoch: Int(epoch), best: state["__best"]?.int64s.first.map { Double(bitPattern: UInt64(bitPattern: $0)) },
            epochsWithoutImprovement: Int(state["__stale_epochs"]?.int64s.first ?? 0))
    }
}
