import ModelFormat

/// The checks of a model's `training` section (part of `modelc check`): every value that
/// training would use is validated, never replaced. Range errors are `training.out-of-range`
/// with the field's path; a field the chosen optimiser or schedule never reads is a
/// `training.unused-field` warning. The rules are public so that command-line and library
/// overrides (`--learning-rate`, `TrainingOptions`) apply the same ones.
public enum TrainingConfigCheck {
    /// Why `rate` cannot be a learning rate, or nil when it can.
    public static func learningRateProblem(_ rate: Float) -> String? {
        rate.isFinite && rate > 0 ? nil : "must be a finite number greater than 0"
    }

    /// Why `count` cannot be a batch size or an epoch count, or nil when it can.
    public static func countProblem(_ count: Int64) -> String? {
        count >= 1 ? nil : "must be at least 1"
    }

    /// Why a decay factor (momentum, β1, β2, ρ) is unusable: it must lie in [0, 1).
    static func decayProblem(_ value: Float) -> String? {
        value.isFinite && value >= 0 && value < 1 ? nil : "must lie in [0, 1)"
    }

    /// All findings for `training`.
    public static func check(_ training: ProtoTrainingConfig, file: String? = nil) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        func outOfRange(_ field: String, _ value: String, _ problem: String?, fix: String? = nil) {
            guard let problem else { return }
            findings.append(
                Diagnostic(
                    .error, "training.out-of-range", .init(file: file, field: "training.\(field)"),
                    "\(field.split(separator: ".").last ?? "") is \(value); it \(problem)", fix: fix))
        }
        func unused(_ field: String, _ reason: String) {
            findings.append(
                Diagnostic(
                    .warning, "training.unused-field", .init(file: file, field: "training.\(field)"),
                    "\(field.split(separator: ".").last ?? "") is set, but \(reason), so it has no effect",
                    fix: "remove it, or choose the optimiser or schedule that uses it"))
        }
        let optimizer = training.optimizer
        if let rate = optimizer.givenLearningRate {
            outOfRange(
                "optimizer.learning_rate", "\(rate)", learningRateProblem(rate),
                fix: "omit it for the default 1e-3, or give a positive rate")
        }
        for (field, value) in [
            ("momentum", optimizer.givenMomentum), ("beta1", optimizer.givenBeta1),
            ("beta2", optimizer.givenBeta2), ("rho", optimizer.givenRho),
        ] {
            if let value { outOfRange("optimizer.\(field)", "\(value)", decayProblem(value)) }
        }
        if let epsilon = optimizer.givenEpsilon, !(epsilon.isFinite && epsilon > 0) {
            outOfRange("optimizer.epsilon", "\(epsilon)", "must be a finite number greater than 0")
        }
        let decay = optimizer.weightDecay
        if !(decay.isFinite && decay >= 0) {
            outOfRange("optimizer.weight_decay", "\(decay)", "must be a finite number >= 0")
        }
        let kind = optimizer.kind
        let kindName = "the optimizer is \(String(describing: kind).uppercased())"
        if optimizer.givenMomentum != nil && ![.momentum, .nesterov, .rmsprop].contains(kind) {
            unused("optimizer.momentum", kindName + " (momentum is read by MOMENTUM, NESTEROV and RMSPROP)")
        }
        for (field, value) in [("beta1", optimizer.givenBeta1), ("beta2", optimizer.givenBeta2)]
        where value != nil && ![.adam, .adamw].contains(kind) {
            unused("optimizer.\(field)", kindName + " (\(field) is read by ADAM and ADAMW)")
        }
        if optimizer.givenRho != nil && ![.adadelta, .rmsprop].contains(kind) {
            unused("optimizer.rho", kindName + " (rho is read by ADADELTA and RMSPROP)")
        }
        if optimizer.givenEpsilon != nil && [.sgd, .momentum, .nesterov].contains(kind) {
            unused("optimizer.epsilon", kindName + " (plain and momentum SGD divide by nothing)")
        }

        if let batchSize = training.givenBatchSize {
            outOfRange("batch_size", "\(batchSize)", countProblem(batchSize), fix: "omit it for the default 32")
        }
        if let epochs = training.givenEpochs {
            outOfRange("epochs", "\(epochs)", countProblem(epochs), fix: "omit it for the default 1")
        }
        let fraction = training.validationFraction
        if !(fraction.isFinite && fraction >= 0 && fraction < 1) {
            outOfRange("validation_fraction", "\(fraction)", "must lie in [0, 1)")
        }
        let clip = training.gradientClipNorm
        if !(clip.isFinite && clip >= 0) {
            outOfRange("gradient_clip_norm", "\(clip)", "must be a finite number >= 0 (0 turns clipping off)")
        }
        if training.earlyStopping.patience < 0 {
            outOfRange("early_stopping.patience", "\(training.earlyStopping.patience)", "must be >= 0 (0 is off)")
        }
        if training.earlyStopping.metric != .unspecified && training.earlyStopping.patience == 0 {
            unused("early_stopping.metric", "patience is 0 (early stopping is off)")
        }
        findings += checkSchedule(training.schedule, file: file, outOfRange: outOfRange, unused: unused)
        return findings
    }

    private static func checkSchedule(
        _ schedule: ProtoSchedule, file: String?, outOfRange: (String, String, String?, String?) -> Void,
        unused: (String, String) -> Void
    ) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        if schedule.warmupSteps < 0 {
            outOfRange("schedule.warmup_steps", "\(schedule.warmupSteps)", "must be >= 0", nil)
        }
        let kindName = String(describing: schedule.kind).uppercased()
        let gamma = schedule.gamma
        switch schedule.kind {
        case .step, .exponential:
            if !(gamma.isFinite && gamma > 0) {
                outOfRange(
                    "schedule.gamma", "\(gamma)", "must be a finite number greater than 0; \(kindName) multiplies the "
                        + "rate by it", "set gamma, e.g. 0.1 for STEP or 0.99 for EXPONENTIAL")
            } else if gamma > 1 {
                findings.append(
                    Diagnostic(
                        .warning, "training.growing-learning-rate", .init(file: file, field: "training.schedule.gamma"),
                        "gamma is \(gamma), so the \(kindName) schedule raises the learning rate without bound",
                        fix: "use a gamma below 1 to decay the rate"))
            }
            if schedule.kind == .step && schedule.stepSize < 1 {
                outOfRange(
                    "schedule.step_size", "\(schedule.stepSize)", "must be at least 1 for STEP",
                    "set step_size in steps")
            } else if schedule.kind == .exponential && schedule.stepSize != 0 {
                unused("schedule.step_size", "the schedule is EXPONENTIAL (step_size is read by STEP)")
            }
        case .constant, .cosine:
            if gamma != 0 {
                unused("schedule.gamma", "the schedule is \(kindName) (gamma is read by STEP and EXPONENTIAL)")
            }
            if schedule.stepSize != 0 {
                unused("schedule.step_size", "the schedule is \(kindName) (step_size is read by STEP)")
            }
        case .UNRECOGNIZED:
            break  // the verifier reports the enum value
        }
        return findings
    }
}
