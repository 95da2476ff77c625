// A weeping willow beside a still teal pond, long drooping strands and soft reflections.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f2f4ee');
  brush.scaleBrushes(1.5);

  // pond
  brush.noStroke();
  brush.fill('#3f9a94', 190);
  brush.fillBleed(0.15);
  brush.fillTexture(0.4, 0.3);
  brush.rect(-256, 120, 512, 136);
  brush.fill('#2c7f7a', 150);
  brush.rect(-256, 170, 512, 86);
  // bank
  brush.fill('#7fa86a', 180);
  brush.fillBleed(0.15);
  brush.polygon([[-256, 100], [256, 96], [256, 124], [-256, 126]]);

  // trunk
  for (let k = 0; k < 2; k++) {
    brush.fill('#4a3a2c', 230);
    brush.fillBleed(0.05);
    brush.fillTexture(0.2, 0.3);
    brush.polygon([[-20, 112], [18, 112], [8, -60], [-8, -60]]);
  }
  brush.noFill();
  brush.set('2B', '#3a2e24', 3);
  brush.spline([[0, -40], [-60, -110], [-130, -120]], 0.6);
  brush.spline([[0, -40], [60, -115], [130, -118]], 0.6);
  brush.spline([[0, -50], [0, -140], [-10, -170]], 0.6);

  // canopy washes behind the strands
  brush.noStroke();
  brush.fill('#8cc09c', 130);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.4);
  brush.beginShape(0.8);
  brush.vertex(-170, 40);
  brush.vertex(-120, -150);
  brush.vertex(0, -185);
  brush.vertex(120, -150);
  brush.vertex(170, 40);
  brush.vertex(0, -20);
  brush.endShape(true);

  // drooping strands from the crown, curving outward
  brush.noFill();
  for (let i = 0; i < 34; i++) {
    const x0 = random(-140, 140);
    const top = -180 + abs(x0) * 0.4 + random(-10, 10);
    const len = 150 + random(0, 70) - abs(x0) * 0.15;
    brush.set(random(['HB', '2B', 'cpencil']), ['#2d7a70', '#4f9c7c', '#1f5f58'][i % 3], random(1.2, 2.2));
    const sx = x0 < 0 ? -1 : 1;
    brush.spline([[x0 * 0.4, top - 10], [x0, top + 20], [x0 + sx * 12, top + len * 0.6], [x0 + sx * 16, top + len]], 0.7);
  }

  // reflection of the willow in the water
  brush.noStroke();
  brush.fill('#1f6a66', 140);
  brush.fillBleed(0.3);
  brush.polygon([[-170, 130], [170, 130], [120, 200], [-120, 200]]);

  // light ripples
  brush.noFill();
  brush.set('pastel', '#e4f4ef', 1.5);
  for (let i = 0; i < 5; i++) {
    const y = 150 + i * 20;
    const x = random(-200, 80);
    brush.line(x, y, x + random(60, 130), y);
  }
}
