// A first draft of green hills: a pale sky, two flat green hills and a small house, in flat washes.
function setup() {
  createCanvas(512, 512, WEBGL);
  background('#fbf7f0');
  brush.noStroke();
  brush.fillBleed(0);
  brush.fillTexture(0, 0);
  brush.fill('#e9f1e0', 255);
  brush.polygon([[-256, -256], [256, -256], [256, 0], [-256, 0]]);
  brush.fill('#a3c27a', 255);
  brush.polygon([[-256, 10], [-60, -40], [256, 20], [256, 256], [-256, 256]]);
  brush.fill('#5f8f4e', 255);
  brush.polygon([[-256, 140], [80, 90], [256, 120], [256, 256], [-256, 256]]);
  brush.fill('#c2b280', 255);
  brush.polygon([[-110, -40], [-80, -40], [-80, -20], [-110, -20]]);
}
