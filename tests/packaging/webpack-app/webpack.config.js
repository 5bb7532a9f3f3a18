// The smallest webpack 5 config: no loaders, no plugins, no experiments.
const path = require('node:path');

module.exports = {
  mode: 'production',
  entry: path.resolve(__dirname, 'main.js'),
  output: { path: path.resolve(__dirname, 'dist'), filename: 'main.js' },
};
