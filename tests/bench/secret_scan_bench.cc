// Secret scan throughput: a generated 200 MB artifact (many small files + a few large ones) with
// ~20 registered secrets, scanned vs plainly read (warm page cache). Prints MB/s for both.
//
//   ./build/secret_scan_bench [total_mb]
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "golive/env_check.h"

namespace fs = std::filesystem;

namespace {

// Minified-JS-looking bytes: identifiers, punctuation, digits; deterministic.
void fill(std::string& buf, std::uint64_t& state) {
  static const char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$(){}[];:,.=+-*/<>!?'\" \n";
  constexpr std::size_t kN = sizeof(kAlphabet) - 1;
  for (char& c : buf) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = kAlphabet[state % kN];
  }
}

std::uint64_t read_all(const std::vector<fs::path>& files, std::string& buf) {
  std::uint64_t total = 0;
  for (const auto& f : files) {
    int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = 0;
    while ((n = ::read(fd, buf.data(), buf.size())) > 0) total += static_cast<std::uint64_t>(n);
    ::close(fd);
  }
  return total;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// CPU seconds of the whole process (all threads): comparable on a loaded machine.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t total_mb = argc > 1 ? std::stoul(argv[1]) : 200;
  std::string tmpl = (fs::temp_directory_path() / "golive-scanbench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const fs::path root = tmpl;

  golive::EnvReport report;
  for (int i = 0; i < 20; ++i) {
    std::string name = "SECRET_" + std::to_string(i) + "_KEY";
    std::string value = "s3cr3t-" + std::to_string(i * 104729 + 7) + "-Qz8kLmP2xW";
    report.values[name] = {value, ".env.production", i + 1};
    report.secret_names.push_back(name);
  }

  // Half the bytes in 64 KiB files across 40 directories, half in 4 large files.
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  const std::size_t small_size = 64 << 10;
  const std::size_t half = total_mb << 19;
  const std::size_t small_count = half / small_size;
  const std::size_t large_size = half / 4;
  std::vector<fs::path> files;
  std::string buf(small_size, '\0');
  for (std::size_t i = 0; i < small_count; ++i) {
    fs::path dir = root / ("chunk" + std::to_string(i % 40));
    fs::create_directories(dir);
    fill(buf, state);
    if (i == small_count / 2) {
      buf.replace(1000, report.values["SECRET_3_KEY"].value.size(),
                  report.values["SECRET_3_KEY"].value);
    }
    files.push_back(dir / ("module" + std::to_string(i) + ".js"));
    std::ofstream(files.back(), std::ios::binary).write(buf.data(), buf.size());
  }
  std::string big(large_size, '\0');
  for (int i = 0; i < 4; ++i) {
    fill(big, state);
    if (i == 2) big.replace(big.size() / 2, 20, "AKIAIOSFODNN7EXAMPLE");
    files.push_back(root / ("bundle" + std::to_string(i) + ".js.map"));
    std::ofstream(files.back(), std::ios::binary).write(big.data(), big.size());
  }
  big.clear();
  big.shrink_to_fit();

  std::string read_buf(1 << 20, '\0');
  const std::uint64_t bytes = read_all(files, read_buf);  // warm the cache
  const double mb = static_cast<double>(bytes) / (1 << 20);

  double best_read = 1e9;
  double best_scan = 1e9;
  double best_read_cpu = 1e9;
  double best_scan_cpu = 1e9;
  std::size_t findings = 0;
  for (int round = 0; round < 3; ++round) {
    auto t = std::chrono::steady_clock::now();
    double c = cpu_seconds();
    read_all(files, read_buf);
    best_read = std::min(best_read, seconds_since(t));
    best_read_cpu = std::min(best_read_cpu, cpu_seconds() - c);
    t = std::chrono::steady_clock::now();
    c = cpu_seconds();
    auto r = golive::scan_for_secrets(root.string(), report);
    best_scan = std::min(best_scan, seconds_since(t));
    best_scan_cpu = std::min(best_scan_cpu, cpu_seconds() - c);
    if (!r) {
      std::fprintf(stderr, "scan failed: %s\n", r.error().message.c_str());
      return 1;
    }
    findings = r->size();
  }
  std::printf("artifact: %.0f MB in %zu files, %zu secrets registered\n", mb, files.size(),
              report.secret_names.size());
  std::printf("plain read:  %6.0f MB/s wall (%.3f s), %6.0f MB/s per CPU second\n", mb / best_read,
              best_read, mb / best_read_cpu);
  std::printf("secret scan: %6.0f MB/s wall (%.3f s), %6.0f MB/s per CPU second, %zu findings\n",
              mb / best_scan, best_scan, mb / best_scan_cpu, findings);
  std::printf("scan/read wall-time ratio: %.2f (best of 3, warm cache)\n", best_scan / best_read);

  std::error_code ec;
  fs::remove_all(root, ec);
  return findings == 2 ? 0 : 1;
}
