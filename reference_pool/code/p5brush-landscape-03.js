// Misty mountain ridges in grey ink wash: layered charcoal-to-silver ranges fading into fog, a pale grey sky.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f1f0ec');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  brush.fill('#dcdcd8', 180);
  brush.fillBleed(0.3);
  brush.rect(-256, -256, 512, 300);

  const ridges = [['#c4c5c3', -60, 50], ['#a3a6a6', -10, 60], ['#7d8183', 50, 70], ['#54595c', 110, 80], ['#33383b', 180, 60]];
  for (const [col, base, amp] of ridges) {
    const pts = [[-256, 256]];
    for (let x = -256; x <= 256; x += 32) pts.push([x, base - amp * noise(x * 0.01, base) - 20 * sin(x * 1.3 + base)]);
    pts.push([256, 256]);
    brush.fill(col, 220);
    brush.fillBleed(0.2, 'out', 270);
    brush.fillTexture(0.5, 0.6);
    brush.polygon(pts);
    // fog band above the next ridge
    brush.fill('#f1f0ec', 170);
    brush.fillBleed(0.4);
    brush.rect(-256, base + 10, 512, 30);
  }
  // pale sun
  brush.wash('#fbfbf8', 200);
  brush.circle(120, -150, 26);
  brush.noWash();
  // pines on the nearest ridge
  brush.noStroke();
  for (let i = 0; i < 7; i++) {
    const x = -215 + i * 20 + random(-6, 6), y = 215 + random(-8, 8), h = random(40, 65);
    brush.wash('#25292c', 190);
    brush.polygon([[x, y - h], [x + 11, y], [x - 11, y]]);
  }
  brush.noWash();
  // birds
  brush.set('HB', '#33383b', 0.8);
  brush.spline([[-60, -120], [-52, -126], [-45, -120], [-38, -126], [-30, -120]], 0.6);
  brush.spline([[-20, -140], [-14, -145], [-8, -140], [-2, -145], [4, -140]], 0.6);
}
