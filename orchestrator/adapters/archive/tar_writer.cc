#include "orchestrator/adapters/archive/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>

namespace golive {

namespace {

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

}  // namespace

struct TarWriter::Impl {
  TarSink sink;
  std::string sink_error;  // the sink's own message, preferred over libarchive's
  std::unique_ptr<archive, ArchiveDeleter> a{archive_write_new()};

  static la_ssize_t on_write(archive*, void* self, const void* buf, std::size_t len) {
    auto* impl = static_cast<Impl*>(self);
    if (auto st = impl->sink(std::string_view(static_cast<const char*>(buf), len)); !st) {
      impl->sink_error = st.error().message;
      return -1;
    }
    return static_cast<la_ssize_t>(len);
  }

  std::unexpected<Error> error() const {
    if (!sink_error.empty()) return fail(sink_error, ExitCode::kInfra);
    const char* why = archive_error_string(a.get());
    return fail(why != nullptr ? why : "unknown error", ExitCode::kInfra);
  }
};

TarWriter::TarWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TarWriter::~TarWriter() = default;

Result<std::unique_ptr<TarWriter>> TarWriter::open(TarSink sink, bool zstd) {
  auto impl = std::make_unique<Impl>();
  impl->sink = std::move(sink);
  if (!impl->a) return fail("out of memory starting an archive", ExitCode::kInfra);
  archive* a = impl->a.get();
  archive_write_set_format_pax_restricted(a);   // plain ustar unless a name needs pax
  archive_write_set_bytes_in_last_block(a, 1);  // no padding to 10 KiB: fewer bytes to send
  if (zstd && archive_write_add_filter_zstd(a) != ARCHIVE_OK) {
    return fail(
        std::string("this libarchive cannot compress with zstd: ") + archive_error_string(a),
        ExitCode::kInfra);
  }
  if (archive_write_open(a, impl.get(), nullptr, &Impl::on_write, nullptr) != ARCHIVE_OK) {
    return impl->error();
  }
  return std::unique_ptr<TarWriter>(new TarWriter(std::move(impl)));
}

Status TarWriter::add_entry(const std::string& path, const struct stat& st,
                            const std::string& symlink_target) {
  std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
  archive_entry_copy_stat(entry.get(), &st);
  archive_entry_set_pathname(entry.get(), path.c_str());
  // The deploy user owns what it extracts; local user names stay local.
  archive_entry_set_uid(entry.get(), 0);
  archive_entry_set_gid(entry.get(), 0);
  archive_entry_set_nlink(entry.get(), S_ISDIR(st.st_mode) ? 2 : 1);
  if (S_ISLNK(st.st_mode)) {
    archive_entry_set_symlink(entry.get(), symlink_target.c_str());
    archive_entry_set_size(entry.get(), 0);
  } else if (S_ISDIR(st.st_mode)) {
    archive_entry_set_size(entry.get(), 0);
  }
  if (archive_write_header(impl_->a.get(), entry.get()) != ARCHIVE_OK) return impl_->error();
  return {};
}

Status TarWriter::write_data(std::string_view bytes) {
  const la_ssize_t n = archive_write_data(impl_->a.get(), bytes.data(), bytes.size());
  if (n != static_cast<la_ssize_t>(bytes.size())) return impl_->error();
  return {};
}

Status TarWriter::close() {
  if (archive_write_close(impl_->a.get()) != ARCHIVE_OK) return impl_->error();
  return {};
}

}  // namespace golive
