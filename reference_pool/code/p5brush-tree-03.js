// Dark pines in front of layered blue mountains at dusk, cool watercolour.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eef2f6');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  brush.fill('#b8cbe6', 150);
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.2);
  brush.rect(-256, -256, 512, 260);

  // mountain ranges
  brush.fill('#7f9ccc', 170);
  brush.polygon([[-256, 20], [-150, -90], [-60, -20], [40, -120], [160, -30], [256, -80], [256, 80], [-256, 80]]);
  brush.fill('#3f5f99', 190);
  brush.polygon([[-256, 80], [-120, 0], [0, 60], [120, -10], [256, 60], [256, 256], [-256, 256]]);

  // pines
  function pine(x, base, h, c) {
    brush.fill(c, 220);
    brush.fillBleed(0.15);
    brush.fillTexture(0.4, 0.4);
    for (let k = 0; k < 4; k++) {
      const y0 = base - k * h * 0.22;
      const w = h * 0.3 * (1 - k * 0.2);
      brush.polygon([[x - w, y0], [x + w, y0], [x, y0 - h * 0.38]]);
    }
    brush.noFill();
    brush.set('pen', '#1b2436', 0.8);
    brush.line(x, base + 25, x, base - h * 0.6);
    brush.noStroke();
  }
  pine(-140, 190, 220, '#1f3557');
  pine(-70, 205, 170, '#25406a');
  pine(150, 200, 240, '#1a2e4d');

  // moon
  brush.fill('#f5f1e0', 220);
  brush.circle(80, -170, 26);
}
