// A jugfile using Eigen, Armadillo and xtensor as a user writes it: the
// libraries found by their package names, their arrays stored by jug's
// headers, and written as .npy files for numpy (tests/integration/test_arrays.py).
// jug: pkg eigen3 armadillo xtensor
#include <jug/jug.hpp>
#include <jug/armadillo.hpp>
#include <jug/eigen.hpp>
#include <jug/xtensor.hpp>

#include <complex>
#include <cstdint>
#include <string>

// Element (i, j, k) of each array is 100 i + 10 j + k: numpy computes the same.
double element(std::size_t i, std::size_t j, std::size_t k = 0) {
  return 100.0 * static_cast<double>(i) + 10.0 * static_cast<double>(j) + static_cast<double>(k);
}

const jug::TaskGenerator make_arma("make_arma", [](int rows, int cols) {
  arma::mat m(rows, cols);
  for (arma::uword i = 0; i < m.n_rows; ++i)
    for (arma::uword j = 0; j < m.n_cols; ++j) m(i, j) = element(i, j);
  return m;
});

const jug::TaskGenerator make_cube("make_cube", [](int rows, int cols, int slices) {
  arma::Cube<std::int16_t> c(rows, cols, slices);
  for (arma::uword i = 0; i < c.n_rows; ++i)
    for (arma::uword j = 0; j < c.n_cols; ++j)
      for (arma::uword k = 0; k < c.n_slices; ++k) c(i, j, k) = static_cast<std::int16_t>(element(i, j, k));
  return c;
});

const jug::TaskGenerator make_eigen("make_eigen", [](int rows, int cols) {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = static_cast<float>(element(i, j));
  return m;
});

const jug::TaskGenerator make_complex("make_complex", [](int n) {
  Eigen::VectorXcd v(n);
  for (int i = 0; i < n; ++i) v(i) = {element(i, 0), -1.0 * i};
  return v;
});

const jug::TaskGenerator make_xtensor("make_xtensor", [](int a, int b, int c) {
  xt::xtensor<std::int32_t, 3> t = xt::xtensor<std::int32_t, 3>::from_shape({std::size_t(a), std::size_t(b), std::size_t(c)});
  for (int i = 0; i < a; ++i)
    for (int j = 0; j < b; ++j)
      for (int k = 0; k < c; ++k) t(i, j, k) = static_cast<std::int32_t>(element(i, j, k));
  return t;
});

const jug::TaskGenerator make_column_major("make_column_major", [](int rows, int cols) {
  xt::xarray<double, xt::layout_type::column_major> a =
      xt::xarray<double, xt::layout_type::column_major>::from_shape({std::size_t(rows), std::size_t(cols)});
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) a(i, j) = element(i, j);
  return a;
});

// A big matrix given as a plain argument (hashed by its digest), summed.
const jug::TaskGenerator total("total", [](const Eigen::MatrixXd& m) { return m.sum(); });

const jug::TaskGenerator save("save", [](const std::string& path, const auto& array) {
  jug::write_npy(path, array);
  return path;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    save("arma.npy", make_arma(600, 500));  // 2.4 MB: the big-record path
    save("cube.npy", make_cube(3, 4, 5));
    save("eigen.npy", make_eigen(3, 4));
    save("complex.npy", make_complex(4));
    save("xtensor.npy", make_xtensor(2, 3, 4));
    save("column_major.npy", make_column_major(3, 4));
    Eigen::MatrixXd big(600, 500);
    for (int i = 0; i < 600; ++i)
      for (int j = 0; j < 500; ++j) big(i, j) = element(i, j);
    total(big);
  });
}
