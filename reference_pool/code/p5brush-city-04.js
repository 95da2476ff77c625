// Rooftops at night: deep blue sky with a full moon over chimneys and gabled roofs, warm yellow windows glowing below.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#e9ecf2');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // night sky: flat wash, then textured watercolour over it
  brush.noFill();
  brush.wash('#22366f', 255);
  brush.rect(-256, -256, 512, 512);
  brush.noWash();
  brush.fillBleed(0.3);
  brush.fillTexture(0.6, 0.3);
  brush.fill('#3a55a0', 160);
  brush.rect(-256, -256, 512, 200);
  // moon with a soft halo
  brush.fill('#9fb2dd', 120);
  brush.circle(120, -150, 70);
  brush.noFill();
  brush.wash('#f3ecd2', 255);
  brush.circle(120, -150, 40);
  brush.noWash();
  brush.fillBleed(0.05);
  brush.fill('#e2d6b0', 120);
  brush.circle(128, -156, 24);

  // back roofs
  let back = [[-256, -10], [-170, -80], [-90, -15], [-40, -55], [40, 0], [110, -70], [190, -5], [256, -45], [256, 256], [-256, 256]];
  let front = [[-256, 60], [-140, -10], [-30, 60], [30, 20], [150, 95], [256, 30], [256, 256], [-256, 256]];
  brush.noFill();
  brush.wash('#34477e', 255);
  brush.polygon(back);
  brush.rect(-185, -100, 16, 40);
  brush.rect(80, -75, 16, 45);
  brush.wash('#111a38', 255);
  brush.polygon(front);
  brush.rect(-110, -30, 20, 45);
  brush.rect(180, 15, 18, 45);
  brush.noWash();
  brush.fillBleed(0.05);
  brush.fillTexture(0.5, 0.5);
  brush.fill('#2b3a6e', 150);
  brush.polygon(front);

  // roof tile lines in pencil, drawn before the windows
  brush.set('HB', '#4d5f99', 1.3);
  for (let y = 80; y < 256; y += 24) brush.line(-256, y, 256, y + random(-6, 6));
  brush.set('pen', '#f3ecd2', 1.8);
  for (let i = 0; i < 14; i++) {
    let x = random(-240, 240), y = random(-240, -120);
    if (abs(x - 120) < 60) continue;
    brush.line(x - 3, y, x + 3, y);
    brush.line(x, y - 3, x, y + 3);
  }
  brush.noStroke();

  // warm windows
  brush.noFill();
  brush.wash('#f6c453', 245);
  let wins = [[-205, 95], [-175, 95], [-95, 125], [-60, 165], [40, 125], [70, 125], [150, 155], [205, 110], [-215, 185], [100, 200]];
  for (let w of wins) brush.rect(w[0], w[1], 16, 22);
  let far = [[-150, -35], [-60, -20], [130, -25], [220, -15], [10, 5]];
  for (let w of far) brush.rect(w[0], w[1], 9, 12);
  brush.noWash();
  // glow around windows (a fill, which also keeps the washes)
  brush.fillBleed(0.3);
  brush.fill('#f6c453', 60);
  for (let w of wins) brush.circle(w[0] + 8, w[1] + 11, 18);
}
