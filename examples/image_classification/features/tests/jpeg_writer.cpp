#include "jpeg_writer.hpp"

#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <stdexcept>

#include "jpeg_errors.hpp"

namespace test_support {

namespace {

bool encode(jpeg_compress_struct& cinfo, image_features::JpegErrors& errors, std::FILE* file,
            const image_features::RgbImage& image, int quality) {
  if (setjmp(errors.jump)) return false;
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, file);
  cinfo.image_width = static_cast<JDIMENSION>(image.width);
  cinfo.image_height = static_cast<JDIMENSION>(image.height);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  const std::size_t row_size = static_cast<std::size_t>(image.width) * 3;
  while (cinfo.next_scanline < cinfo.image_height) {
    // libjpeg does not write through the row pointer.
    JSAMPROW row = const_cast<JSAMPLE*>(image.pixels.data() + row_size * cinfo.next_scanline);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  return true;
}

}  // namespace

void write_jpeg(const std::string& path, const image_features::RgbImage& image, int quality) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) throw std::runtime_error(path + ": cannot create");
  jpeg_compress_struct cinfo{};
  image_features::JpegErrors errors{};
  cinfo.err = errors.install();
  const bool encoded = encode(cinfo, errors, file, image, quality);
  jpeg_destroy_compress(&cinfo);
  const bool closed = std::fclose(file) == 0;
  if (!encoded) throw std::runtime_error(path + ": cannot encode JPEG: " + errors.message);
  if (!closed) throw std::runtime_error(path + ": cannot write");
}

}  // namespace test_support
