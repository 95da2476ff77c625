// A city skyline at sunset: warm orange sky wash with a pale sun, indigo towers with lit windows, mirrored in a calm river.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6efe4');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // sky: two layered bands, deeper at the horizon
  brush.fillBleed(0.25);
  brush.fillTexture(0.4, 0.25);
  brush.fill('#f4b266', 200);
  brush.rect(-256, -256, 512, 330);
  brush.fill('#ec7f45', 190);
  brush.rect(-256, -90, 512, 165);
  brush.rect(-256, -40, 512, 115);
  // sun
  brush.fillBleed(0.3);
  brush.fill('#fbe3a6', 160);
  brush.circle(-20, -150, 58);
  brush.noFill();
  brush.wash('#fcebc0', 240);
  brush.circle(-20, -150, 38);
  brush.noWash();

  // far towers, dusky mauve
  brush.fillBleed(0.08);
  brush.fillTexture(0.3, 0.3);
  brush.fill('#9a6b86', 210);
  let far = [[-250, 40, -40], [-205, 36, -5], [-165, 40, -75], [-120, 44, -25], [-60, 40, -100], [0, 36, -45], [110, 44, -125], [165, 40, -60], [215, 41, -95]];
  for (let b of far) { brush.rect(b[0], b[2], b[1], 80 - b[2]); }

  // near towers, indigo, painted twice for depth
  brush.fill('#3b3358', 230);
  let near = [[-256, 58, 5], [-185, 46, -45], [-125, 66, 15], [-45, 44, -70], [15, 60, -10], [95, 48, -55], [160, 38, 0], [205, 51, -30]];
  for (let k = 0; k < 2; k++) for (let b of near) brush.rect(b[0], b[2], b[1], 80 - b[2]);

  // lit windows, crisp wash
  brush.noFill();
  brush.wash('#f9cf6e', 230);
  for (let b of near) {
    for (let y = b[2] + 10; y < 68; y += 14) {
      for (let x = b[0] + 8; x < b[0] + b[1] - 8; x += 12) {
        if (random() < 0.4) brush.rect(x, y, 5, 7);
      }
    }
  }
  brush.noWash();

  // river with a reflected glow under the sun
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.3);
  brush.fill('#4a3f66', 200);
  brush.rect(-256, 82, 512, 174);
  brush.fill('#4a3f66', 170);
  brush.rect(-256, 120, 512, 136);
  brush.fillBleed(0.08);
  brush.fill('#d9794a', 170);
  brush.rect(-256, 86, 512, 22);
  brush.fill('#f4b266', 220);
  brush.rect(-45, 95, 50, 130);

  // ink shoreline and glinting ripples
  brush.set('pen', '#231c38', 2);
  brush.line(-256, 81, 256, 81);
  brush.set('marker', '#fbe3a6', 2);
  for (let i = 0; i < 7; i++) {
    let y = 125 + i * 17;
    let w = 90 - i * 6;
    brush.line(-20 - w / 2 + random(-15, 15), y, -20 + w / 2 + random(-15, 15), y);
  }
}
