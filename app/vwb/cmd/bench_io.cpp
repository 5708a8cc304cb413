// vwb bench-io: volume read/write throughput, and tifffile reading the same volumes for scale.
// A benchmark that prints numbers, not a test: other processes on the machine make them noisy.
#include <fmt/format.h>
#include <stdlib.h>

#include <chrono>
#include <ctime>
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

// Prints "<path> <best wall seconds> <best CPU seconds>" for each path after the repeat count.
const char* kTifffileScript = R"PY(
import sys, time
import tifffile
repeat = int(sys.argv[1])
for path in sys.argv[2:]:
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        tifffile.imread(path)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    print(path, min(wall), min(cpu))
)PY";

// Best wall-clock and best CPU time (the process's, all threads) over `repeat` runs. CPU time
// is the steadier figure on a machine shared with other work.
struct Timing {
  double wall = 1e300, cpu = 1e300;
};

double processCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

template <class F>
Timing best(int repeat, F&& f) {
  Timing t;
  for (int i = 0; i < repeat; ++i) {
    auto w0 = std::chrono::steady_clock::now();
    double c0 = processCpuSeconds();
    f();
    t.cpu = std::min(t.cpu, processCpuSeconds() - c0);
    t.wall = std::min(t.wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count());
  }
  return t;
}

std::string shellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs tifffile on the files; returns path -> best times, or an empty map with a reason.
std::map<std::string, Timing> timeTifffile(const BenchArgs& a, const std::vector<std::string>& files, std::string& why) {
  std::string cmd = shellQuote(a.python) + " -c " + shellQuote(kTifffileScript) + " " + std::to_string(a.repeat);
  for (auto& f : files) cmd += " " + shellQuote(f);
  cmd += " 2>&1";
  std::map<std::string, Timing> out;
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
  Timing t;
  while (lines >> path >> t.wall >> t.cpu) out[path] = t;
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
  fmt::print("best of {} reads; MB of decoded voxels per second of wall time and of CPU time\n", a.repeat);
  fmt::print("(wall times are noisy when other processes use the CPU)\n\n");
  fmt::print("{:<20} {:>8} {:>11} {:>11} {:>12}\n", "reader / file", "file MB", "write MB/s", "read MB/s",
             "MB/CPU-s");

  std::vector<std::string> forPython;
  for (auto c : {vwb::TiffCompression::LZW, vwb::TiffCompression::None, vwb::TiffCompression::Deflate}) {
    const std::string path = (fs::path(dir) / fmt::format("bench_{}.tif", vwb::compressionName(c))).string();
    Timing write = best(1, [&] { vwb::writeVolumeU8(path, synthetic.image, c); });
    vwb::VolumeU8 back;
    Timing read = best(a.repeat, [&] { back = vwb::readVolumeU8(path); });
    if (back.data != synthetic.image.data) throw vwb::fileError(path, "read back differs from what was written");
    fmt::print("{:<20} {:>8.1f} {:>11.0f} {:>11.0f} {:>12.0f}\n", fmt::format("vwb {}", vwb::compressionName(c)),
               double(fs::file_size(path)) / 1e6, mb / write.wall, mb / read.wall, mb / read.cpu);
    if (c != vwb::TiffCompression::LZW) forPython.push_back(path);  // tifffile needs imagecodecs for LZW
  }
  std::string why;
  auto py = timeTifffile(a, forPython, why);
  if (py.empty()) fmt::print("tifffile comparison skipped: {}\n", why);
  for (auto& path : forPython)
    if (py.count(path))
      fmt::print("{:<20} {:>8.1f} {:>11} {:>11.0f} {:>12.0f}\n",
                 fmt::format("tifffile {}", fs::path(path).stem().string().substr(6)), double(fs::file_size(path)) / 1e6,
                 "", mb / py[path].wall, mb / py[path].cpu);
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
