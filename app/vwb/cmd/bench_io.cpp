// vwb bench-io: volume read/write throughput, and tifffile reading the same volumes for scale.
// A benchmark that prints numbers, not a test: other processes on the machine make them noisy.
#include <fmt/format.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "CommandRegistry.h"
#include "engine/core/Error.h"
#include "engine/data/SyntheticScrolls.h"
#include "engine/io/TiffVolume.h"

namespace fs = std::filesystem;

namespace {

struct BenchArgs {
  std::string size = "320";
  std::string out;
  int repeat = 3;
  std::string python = "/usr/bin/python3";
};

// Prints "<name> <best seconds>" for each path argument after the repeat count.
const char* kTifffileScript = R"PY(
import sys, time
import tifffile
repeat = int(sys.argv[1])
for path in sys.argv[2:]:
    best = min((lambda t: (tifffile.imread(path), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(repeat))
    print(path, best)
)PY";

template <class F>
double bestSeconds(int repeat, F&& f) {
  double best = 1e300;
  for (int i = 0; i < repeat; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

std::string shellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs tifffile on the files; returns path -> best seconds, or an empty map with a reason.
std::map<std::string, double> timeTifffile(const BenchArgs& a, const std::vector<std::string>& files, std::string& why) {
  std::string cmd = shellQuote(a.python) + " -c " + shellQuote(kTifffileScript) + " " + std::to_string(a.repeat);
  for (auto& f : files) cmd += " " + shellQuote(f);
  cmd += " 2>&1";
  std::map<std::string, double> out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    why = "cannot run " + a.python;
    return out;
  }
  std::string text;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  int rc = pclose(p);
  std::istringstream lines(text);
  std::string path;
  double seconds;
  while (lines >> path >> seconds) out[path] = seconds;
  if (rc != 0 || out.size() != files.size()) {
    why = a.python + " with tifffile failed: " + text.substr(0, 300);
    out.clear();
  }
  return out;
}

void run(const BenchArgs& a) {
  const vwb::Shape3 shape = vwb::Shape3::parse(a.size);
  const bool keep = !a.out.empty();
  std::string dir = a.out;
  if (keep) {
    fs::create_directories(dir);
  } else {
    std::string templ = (fs::temp_directory_path() / "vwb-bench-io-XXXXXX").string();
    if (!mkdtemp(templ.data())) throw vwb::Error("cannot create a temporary folder in " + fs::temp_directory_path().string());
    dir = templ;
  }
  const double mb = double(shape.voxels()) / 1e6;
  auto t0 = std::chrono::steady_clock::now();
  const vwb::SyntheticVolume synthetic = vwb::generateSyntheticVolume(shape, 1);
  double genSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("volume: {} uint8 ({:.1f} MB decoded), synthetic seed 1, generated in {:.2f} s\n", shape.str(), mb, genSeconds);
  fmt::print("best of {} runs; MB/s of decoded voxels; noisy when other processes use the CPU\n\n", a.repeat);
  fmt::print("{:<22} {:>9} {:>12} {:>12}\n", "reader / file", "file MB", "write MB/s", "read MB/s");

  std::vector<std::string> forPython;
  for (auto c : {vwb::TiffCompression::LZW, vwb::TiffCompression::None, vwb::TiffCompression::Deflate}) {
    const std::string path = (fs::path(dir) / fmt::format("bench_{}.tif", vwb::compressionName(c))).string();
    double write = bestSeconds(1, [&] { vwb::writeVolumeU8(path, synthetic.image, c); });
    vwb::VolumeU8 back;
    double read = bestSeconds(a.repeat, [&] { back = vwb::readVolumeU8(path); });
    if (back.data != synthetic.image.data) throw vwb::fileError(path, "read back differs from what was written");
    fmt::print("{:<22} {:>9.1f} {:>12.0f} {:>12.0f}\n", fmt::format("vwb {}", vwb::compressionName(c)),
               double(fs::file_size(path)) / 1e6, mb / write, mb / read);
    if (c != vwb::TiffCompression::LZW) forPython.push_back(path);  // tifffile needs imagecodecs for LZW
  }
  std::string why;
  auto py = timeTifffile(a, forPython, why);
  if (py.empty()) fmt::print("tifffile comparison skipped: {}\n", why);
  for (auto& path : forPython)
    if (py.count(path))
      fmt::print("{:<22} {:>9.1f} {:>12} {:>12.0f}\n",
                 fmt::format("tifffile {}", fs::path(path).stem().string().substr(6)), double(fs::file_size(path)) / 1e6,
                 "", mb / py[path]);
  if (keep) fmt::print("\nfiles kept in {}\n", dir);
  else fs::remove_all(dir);
}

}  // namespace

static vwb::cli::CommandRegistrar benchIoCommand("bench-io", 90, "Benchmark volume IO (MB/s) against tifffile", [](CLI::App& cmd) {
  auto args = std::make_shared<BenchArgs>();
  cmd.add_option("--size", args->size, "Volume size: D (cube) or DxHxW")->capture_default_str();
  cmd.add_option("--out", args->out, "Keep the benchmark files in this folder (default: a temporary one)");
  cmd.add_option("--repeat", args->repeat, "Reads per file; the best is reported")->capture_default_str()->check(CLI::PositiveNumber);
  cmd.add_option("--python", args->python, "python3 with tifffile, for the comparison")->capture_default_str();
  cmd.callback([args] { run(*args); });
});
