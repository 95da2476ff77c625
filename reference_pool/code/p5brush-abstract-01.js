// Colour-field study: two soft stacked rectangles of crimson and burnt orange on a deep red ground.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f3e9dc');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // ground, painted in three passes
  for (let k = 0; k < 3; k++) {
    brush.fill('#9e2a2b', 170);
    brush.fillBleed(0.2);
    brush.fillTexture(0.5, 0.3);
    brush.rect(-236, -236, 472, 472);
  }
  // upper block
  for (let k = 0; k < 2; k++) {
    brush.fill('#e07a2e', 190);
    brush.fillBleed(0.25);
    brush.fillTexture(0.6, 0.45);
    brush.rect(-190, -200, 380, 200);
  }
  // lower block
  for (let k = 0; k < 2; k++) {
    brush.fill('#c23b2e', 190);
    brush.fillBleed(0.25);
    brush.fillTexture(0.6, 0.45);
    brush.rect(-190, 40, 380, 150);
  }
  // thin glowing band
  brush.fill('#f2b35a', 170);
  brush.fillBleed(0.3);
  brush.rect(-190, 12, 380, 14);
}
