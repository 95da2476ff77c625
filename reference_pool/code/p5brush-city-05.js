// A violet dusk skyline: lavender sky, layered purple towers with a few lit windows and a glowing river.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f3eff4');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fillBleed(0.3);
  brush.fillTexture(0.45, 0.25);
  brush.fill('#b79ad0', 200);
  brush.rect(-256, -256, 512, 340);
  brush.fill('#e3b6cf', 180);
  brush.rect(-256, -40, 512, 110);

  brush.fillBleed(0.08);
  brush.fillTexture(0.3, 0.3);
  brush.fill('#8a6bb0', 210);
  let far = [[-240, 50, -50], [-180, 40, -110], [-130, 55, -30], [-60, 45, -140], [0, 60, -60], [80, 40, -120], [130, 55, -40], [200, 50, -90]];
  for (let b of far) brush.rect(b[0], b[2], b[1], 75 - b[2]);
  brush.fill('#4b2f6e', 230);
  let near = [[-256, 70, 0], [-170, 45, -60], [-110, 60, -15], [-30, 50, -85], [35, 70, -25], [120, 45, -70], [180, 76, -10]];
  for (let k = 0; k < 2; k++) for (let b of near) brush.rect(b[0], b[2], b[1], 75 - b[2]);

  // antenna on the tallest tower
  brush.set('pen', '#2e1b47', 1.8);
  brush.line(-5, -85, -5, -125);
  brush.noStroke();
  brush.noFill();
  brush.wash('#f4d98a', 220);
  for (let b of near) {
    for (let y = b[2] + 12; y < 64; y += 15) {
      for (let x = b[0] + 8; x < b[0] + b[1] - 8; x += 13) {
        if (random() < 0.3) brush.rect(x, y, 5, 7);
      }
    }
  }
  brush.noWash();


  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.3);
  brush.noStroke();
  brush.fill('#5b3f86', 210);
  brush.rect(-256, 76, 512, 180);
  brush.fill('#c99ad6', 160);
  brush.rect(-256, 80, 512, 26);
  brush.set('marker', '#e9c8ea', 1.3);
  for (let i = 0; i < 8; i++) {
    let x = random(-220, 150), y = 120 + i * 16;
    brush.line(x, y, x + random(30, 80), y);
  }
}
