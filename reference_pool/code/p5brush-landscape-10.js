// Lavender field at dusk: purple rows converging to the horizon under a violet-to-rose sky with a setting sun.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f3ecef');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // sky bands
  brush.fill('#8e7cc3', 230);
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.3);
  brush.rect(-256, -256, 512, 120);
  brush.fill('#c8a2c8', 230);
  brush.rect(-256, -150, 512, 100);
  brush.fill('#f2b8b0', 230);
  brush.rect(-256, -70, 512, 70);
  brush.fill('#f49b6c', 255);
  brush.fillBleed(0.1);
  brush.circle(-60, -25, 30);

  // far tree line
  brush.fill('#4b3b6b', 230);
  brush.fillBleed(0.15);
  brush.polygon([[-280, -10], [-150, -22], [-40, -12], [100, -26], [280, -8], [280, 10], [-280, 10]]);

  // ground
  brush.fill('#6d4f93', 230);
  brush.fillBleed(0.2);
  brush.rect(-256, 0, 512, 256);
  // rows converging to a vanishing point
  const vx = 40, vy = 0;
  for (let i = -7; i <= 7; i++) {
    const bx = i * 70;
    brush.fill(i % 2 ? '#9b6fc4' : '#7a4fae', 250);
    brush.fillBleed(0.08);
    brush.polygon([[vx + i * 2, vy + 4], [vx + i * 2 + 1.5, vy + 4], [bx + 22, 280], [bx - 22, 280]]);
  }
  brush.set('HB', '#3a2556', 1);
  brush.noFill();
  for (let i = -6; i <= 6; i++) brush.line(vx + i * 2, vy + 5, i * 70 + 35, 256);
}
