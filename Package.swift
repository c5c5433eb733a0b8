// swift-tools-version:6.0
// An ONNX-style neural-network model format, its compiler and its CPU runtime.
import PackageDescription

let package = Package(
    name: "ModelKit",
    products: [
        .library(name: "ModelFormat", targets: ["ModelFormat"]),
        .library(name: "ModelCompiler", targets: ["ModelCompiler"]),
        .library(name: "ModelRuntime", targets: ["ModelRuntime"]),
        .executable(name: "modelc", targets: ["modelc"]),
        .executable(name: "modelrun", targets: ["modelrun"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // System libraries: a module map and a shim header each, nothing else.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        // Open MPI for data-parallel training; MPI_Init runs only in a process mpirun started.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c"),

        .target(
            name: "ModelFormat",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf"), "CZlib"]
        ),
        .target(
            name: "ModelCompiler",
            dependencies: ["ModelFormat", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .target(name: "ModelRuntime", dependencies: ["ModelCompiler", "CDNNL", "CZlib", "CMPI"]),
        .target(
            name: "CLISupport",
            dependencies: ["ModelFormat", "ModelCompiler", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "modelc",
            dependencies: [
                "CLISupport", "ModelFormat", "ModelCompiler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "modelrun",
            dependencies: [
                "CLISupport", "ModelRuntime", "ModelCompiler", "ModelFormat",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "TestSupport", dependencies: ["ModelFormat"], path: "Tests/TestSupport"),

        .testTarget(
            name: "ModelFormatTests", dependencies: ["ModelFormat", "TestSupport"], exclude: ["Fixtures", "Hostile"]
        ),
        .testTarget(name: "ModelCompilerTests", dependencies: ["ModelCompiler", "TestSupport"]),
        .testTarget(
            name: "ModelRuntimeTests", dependencies: ["ModelRuntime", "TestSupport"],
            exclude: ["Kernels/Fixtures", "Data/Fixtures", "Training/Fixtures"]
        ),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "ModelRuntime", "modelc", "modelrun"]),
    ],
    swiftLanguageModes: [.v6]
)
