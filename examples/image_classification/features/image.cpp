// JPEG decoding with libjpeg(-turbo), and grey levels.
//
// This file must be built with -ffp-contract=off and without fast-math (see
// CMakeLists.txt): a fused multiply-add changes the last bit of some grey
// values, and grey_u8's truncation then differs from the reference's
// (docs/image-features.md, "Decoding and grey levels").
#include "image.hpp"

#include <cerrno>
#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "jpeg_errors.hpp"  // includes jpeglib.h, which jerror.h follows

#include <jerror.h>

namespace image_features {

namespace {

// A file that ends early is only a warning for libjpeg, which then decodes
// grey padding in place of the missing data: we make it an error. Other
// warnings (e.g. stray bytes between markers) are counted and ignored, as
// libjpeg does, but not printed to stderr; trace messages are dropped.
void on_message(j_common_ptr cinfo, int level) {
  if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) JpegErrors::fail(cinfo);
  if (level == -1) ++cinfo->err->num_warnings;
}

/// The libjpeg calls that may fail, in a frame with no C++ object to
/// destroy, so that longjmp out of them is well defined. Returns false
/// after an error, whose text is then in errors.message.
bool decode(jpeg_decompress_struct& cinfo, JpegErrors& errors, std::FILE* file,
            RgbImage& image) {
  if (setjmp(errors.jump)) return false;
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, file);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;  // also expands greyscale JPEGs to RGB
  jpeg_start_decompress(&cinfo);
  image.width = static_cast<int>(cinfo.output_width);
  image.height = static_cast<int>(cinfo.output_height);
  const std::size_t row_size = static_cast<std::size_t>(image.width) * 3;
  image.pixels.resize(row_size * image.height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = image.pixels.data() + row_size * cinfo.output_scanline;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  return true;
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

/// Releases libjpeg's memory however decoding ends (also on bad_alloc).
struct DecompressorGuard {
  jpeg_decompress_struct& cinfo;
  ~DecompressorGuard() { jpeg_destroy_decompress(&cinfo); }
};

// ---- grey levels ----------------------------------------------------------

/// The reference's weighting, summed in exactly this order.
double grey_level(const std::uint8_t* rgb) {
  const double red_green = 0.30 * rgb[0] + 0.59 * rgb[1];
  return red_green + 0.11 * rgb[2];
}

}  // namespace

std::size_t pixel_count(const RgbImage& image) {
  const std::size_t count =
      static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height);
  if (image.width < 0 || image.height < 0 || image.pixels.size() != 3 * count) {
    throw std::invalid_argument(std::to_string(image.pixels.size()) + " bytes for a " +
                                std::to_string(image.width) + "x" + std::to_string(image.height) +
                                " RGB image");
  }
  return count;
}

RgbImage read_jpeg(const std::string& path) {
  const std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));

  jpeg_decompress_struct cinfo{};
  JpegErrors errors{};
  cinfo.err = errors.install();
  errors.base.emit_message = on_message;

  const DecompressorGuard guard{cinfo};
  RgbImage image;
  const bool decoded = decode(cinfo, errors, file.get(), image);
  if (!decoded) throw std::runtime_error(path + ": cannot decode JPEG: " + errors.message);
  return image;
}

std::vector<double> grey(const RgbImage& image) {
  std::vector<double> out;
  grey_into(image, out);
  return out;
}

void grey_into(const RgbImage& image, std::vector<double>& out) {
  out.resize(pixel_count(image));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = grey_level(&image.pixels[3 * i]);
}

std::vector<std::uint8_t> grey_u8(const RgbImage& image) {
  std::vector<std::uint8_t> out(pixel_count(image));
  for (std::size_t i = 0; i < out.size(); ++i) {
    // The conversion truncates towards zero, like numpy's astype(np.uint8);
    // grey levels lie in [0, 256), so it cannot overflow.
    out[i] = static_cast<std::uint8_t>(grey_level(&image.pixels[3 * i]));
  }
  return out;
}

}  // namespace image_features
