// Snapshots live in __snapshots__/ at the top of the repository, one file per test file.
const path = require("path");
const root = path.resolve(__dirname, "..");
const dir = path.join(root, "__snapshots__");
module.exports = {
  resolveSnapshotPath: (testPath, ext) => path.join(dir, path.relative(path.join(root, "test"), testPath).replace(/[\\/]/g, "__") + ext),
  resolveTestPath: (snapshotPath, ext) => path.join(root, "test", path.basename(snapshotPath).slice(0, -ext.length).replace(/__/g, "/")),
  testPathForConsistencyCheck: path.join(root, "test", "unit", "example.test.ts"),
};
